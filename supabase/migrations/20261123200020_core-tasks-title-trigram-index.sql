-- migrate:no-transaction
-- Why: find_tasks' typo tolerance is `query <% title` (pg_trgm word similarity); a trigram
-- GIN index on the title answers it without scanning the workspace's tasks.
create index concurrently if not exists tasks_title_trgm_idx on public.tasks
  using gin (title extensions.gin_trgm_ops);
