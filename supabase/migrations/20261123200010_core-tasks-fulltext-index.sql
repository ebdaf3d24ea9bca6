-- migrate:no-transaction
-- Why: find_tasks and search_tasks match to_tsvector('english', title || ' ' || notes);
-- without an index every search reads all of a workspace's tasks. An expression GIN index
-- adds no column, so the tasks table is not rewritten, and CONCURRENTLY keeps writes going.
create index concurrently if not exists tasks_fulltext_idx on public.tasks
  using gin (to_tsvector('english'::regconfig, title || ' ' || notes));
