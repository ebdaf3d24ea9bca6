-- The task-change trigger behind GraphQL subscriptions (migration 20261123170200): it
-- fires after every row write on tasks, runs as the writer (no definer rights), and does
-- not get in the way of a member's writes. What subscribers receive is tested through
-- the gateway in tests/api/graphql-subscriptions.test.ts (NOTIFY is only delivered at
-- commit, and these tests roll back).
begin;
select plan(7);

select has_trigger('public', 'tasks', '_900_notify_change', 'tasks has the change-notify trigger');
select trigger_is('public', 'tasks', '_900_notify_change', 'private', 'tg_tasks__notify_change',
  'the trigger calls private.tg_tasks__notify_change()');
-- tgtype bits: ROW 1, INSERT 4, DELETE 8, UPDATE 16; BEFORE (2) unset means AFTER.
select is((select tgtype::int from pg_trigger where tgname = '_900_notify_change' and tgrelid = 'public.tasks'::regclass),
  1 + 4 + 8 + 16, 'it fires after insert, update and delete, for each row');
select isnt_definer('private', 'tg_tasks__notify_change', '{}'::name[],
  'the trigger function runs with the writer''s rights');
select ok((select proconfig @> array['search_path=""'] from pg_proc where oid = 'private.tg_tasks__notify_change()'::regprocedure),
  'the trigger function pins an empty search_path');

select tests.create_user('alice') as alice \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.authenticate_as(:'alice');
select lives_ok(
  format($$insert into public.tasks (workspace_id, title) values (%L, 'Notify me')$$, :'ws_a'),
  'a member inserts a task with the trigger in place');
select lives_ok(
  format($$with u as (update public.tasks set title = 'Notified' where workspace_id = %L returning 1),
              d as (delete from public.tasks where workspace_id = %L and title = 'Notify me' returning 1)
           select 1$$, :'ws_a', :'ws_a'),
  'a member updates and deletes tasks with the trigger in place');

select * from finish();
rollback;
