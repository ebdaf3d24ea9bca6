-- Why: completing a recurring task creates its next occurrence (worker task
-- tasks__next_occurrence). The new task points at the one it continues, and a unique index on
-- that link (next migration) makes creation idempotent: the job run twice, or a task reopened
-- and completed again, still yields one next task. Expand-only: a nullable column (no
-- rewrite) and a foreign key added NOT VALID (every existing row is null; validated later).
-- Not writable through the APIs (the insert/update grants list their columns).
alter table public.tasks add column recurrence_parent_id uuid;
comment on column public.tasks.recurrence_parent_id is
  'For an occurrence created by completing a recurring task: the task it continues (null once that one is purged).';

alter table public.tasks add constraint tasks_recurrence_parent_fk
  foreign key (workspace_id, recurrence_parent_id) references public.tasks (workspace_id, id)
  on delete set null (recurrence_parent_id) not valid;
