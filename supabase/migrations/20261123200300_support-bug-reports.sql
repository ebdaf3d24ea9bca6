-- Why: "Report a bug" (issue 4) sends a description, the route, app version, browser,
-- recent client errors and optionally a screenshot, from signed-in and signed-out pages
-- alike, for admins to read later. Reports are not workspace data and anonymous people
-- may send them, so they live outside public (whose catalog rules forbid both: anon
-- privileges, tables without workspace_id) in a schema the REST API does not expose; the
-- only way in is POST /api/v1/bug-reports, which inserts as the caller. Insert-only:
-- nobody but the service role reads them.
create schema support;
comment on schema support is 'Product support data (bug reports); written through gateway endpoints, read by staff.';
grant usage on schema support to anon, authenticated, service_role;

create table support.bug_reports (
  id uuid primary key default gen_random_uuid(),
  user_id uuid default auth.uid() references identity.users (id) on delete set null,
  description text not null
    constraint bug_reports_description_length check (char_length(btrim(description)) between 1 and 5000),
  route text
    constraint bug_reports_route_length check (char_length(route) <= 2000),
  app_version text
    constraint bug_reports_app_version_length check (char_length(app_version) <= 100),
  user_agent text
    constraint bug_reports_user_agent_length check (char_length(user_agent) <= 1000),
  client_errors jsonb not null default '[]'
    constraint bug_reports_client_errors_shape check (
      jsonb_typeof(client_errors) = 'array' and jsonb_array_length(client_errors) <= 50
      and octet_length(client_errors::text) <= 65536
    ),
  -- A PNG or JPEG data URL of at most 2 MiB of text (about 1.5 MB of image).
  screenshot text
    constraint bug_reports_screenshot_format check (
      char_length(screenshot) <= 2097152 and screenshot ~ '^data:image/(png|jpeg);base64,[A-Za-z0-9+/]+={0,2}$'
    ),
  created_at timestamptz not null default now()
);
comment on table support.bug_reports is 'Bug reports sent from the app; user_id is null for signed-out reporters.';
create index bug_reports_created_idx on support.bug_reports (created_at);
create index bug_reports_user_idx on support.bug_reports (user_id);
