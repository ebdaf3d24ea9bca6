-- migrate:no-transaction
-- Why: large task lists page by keyset (docs/api.md, "Pagination"): newest first, ordered
-- by (created_at, id), resuming after the last row seen. No index had created_at, so every
-- page sorted the whole workspace; with this one a page is an index range scan of `limit`
-- rows inside one workspace, however deep the page. workspace_id leads (the tenant filter
-- and the RLS policy's column, and the Citus distribution column); a btree scans backwards,
-- so it serves `created_at.desc,id.desc` and `created_at.asc,id.asc` alike. Not partial on
-- deleted_at: the API lists live and trashed tasks through the same order.
create index concurrently if not exists tasks_created_idx on public.tasks (workspace_id, created_at, id);
