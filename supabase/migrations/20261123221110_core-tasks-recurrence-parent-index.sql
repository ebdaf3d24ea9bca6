-- migrate:no-transaction
-- Why: at most one next occurrence per completed recurring task — tasks__next_occurrence
-- inserts with ON CONFLICT on this index, so a retried or repeated job creates nothing more.
-- Concurrently, so writes to tasks continue while it builds.
create unique index concurrently if not exists tasks_recurrence_parent_key
  on public.tasks (workspace_id, recurrence_parent_id) where recurrence_parent_id is not null;
