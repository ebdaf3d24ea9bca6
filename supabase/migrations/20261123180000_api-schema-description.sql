-- Why: the REST engine's OpenAPI document (GET /rest/v1/) and GraphQL's schema description
-- read the exposed schema's comment; Postgres ships `public` with "standard public schema",
-- which tells an API user nothing.
comment on schema public is
  'TaskMaster data API v1. Every table is scoped to the workspaces you belong to (row-level security). Guide: docs/api.md.';
