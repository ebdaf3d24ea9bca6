-- Why: task.completed fans out to tasks__next_occurrence, which creates the next occurrence
-- of a recurring task (lib/shared/recurrence/engine.ts decides the date). Critical: a lost
-- job would silently end someone's series, so it is never shed under load. 10 attempts with
-- graphile-worker's exponential backoff (about 3.5 hours in all) cover a database restart.
-- The link's foreign key (added NOT VALID) is validated here, in its own transaction: the
-- scan takes only a SHARE UPDATE EXCLUSIVE lock, and every existing row is null anyway.
alter table public.tasks validate constraint tasks_recurrence_parent_fk;

insert into private.event_consumers (task_identifier, event_types, critical, max_attempts, priority, description) values
  ('tasks__next_occurrence', '{task.completed}', true, 10, 0,
   'Creates the next occurrence of a recurring task when one is completed (once per task).');
