-- The /rpc functions of the REST API (search_tasks, complete_task): they run as the caller
-- (security invoker), so a workspace's tasks are found and completed only by its writers;
-- another workspace's ids give nothing or "not found"; anon may not execute them at all.
begin;
select plan(16);

select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset
select tests.create_user('carol') as carol \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.add_member(:'ws_a', :'carol', 'guest');
insert into public.tasks (workspace_id, title, notes) values (:'ws_a', 'Plan the garden party', '') returning id as ta \gset
insert into public.tasks (workspace_id, title, notes) values (:'ws_a', 'Water the plants', 'the garden beds') returning id as ta2 \gset
insert into public.tasks (workspace_id, title, deleted_at) values (:'ws_a', 'Old garden task', now()) returning id as ta_trash \gset
insert into public.tasks (workspace_id, title) values (:'ws_b', 'Bob''s garden shed') returning id as tb \gset

select is(
  (select provolatile from pg_proc where oid = 'public.search_tasks(text)'::regprocedure), 's',
  'search_tasks is stable (callable with GET)');
select ok(
  not (select prosecdef from pg_proc where oid = 'public.complete_task(uuid)'::regprocedure),
  'complete_task runs as the caller (security invoker)');
select ok(obj_description('public.search_tasks(text)'::regprocedure, 'pg_proc') is not null,
  'search_tasks has a comment (it documents the API)');

-- Alice searches and completes in her workspace.
select tests.authenticate_as(:'alice');
select set_eq(
  $$select title from public.search_tasks('garden')$$,
  array['Plan the garden party', 'Water the plants'],
  'A finds her live tasks by title and notes; not the trashed one, not B''s');
select is_empty($$select * from public.search_tasks('zeppelin')$$, 'a query matching nothing returns no rows');
select is(
  (select count(*) from public.search_tasks('garden -party')), 1::bigint,
  'web-search syntax: -word excludes');
select is(
  (select status || ':' || (completed_at is not null)::text from public.complete_task(:'ta')), 'completed:true',
  'A completes her task; completed_at is stamped');
select is(
  (select completed_at from public.complete_task(:'ta')),
  (select completed_at from public.tasks where id = :'ta'),
  'completing twice keeps the first completion time');
select throws_ok(format('select public.complete_task(%L)', :'ta_trash'), 'PT404', 'Task not found',
  'a task in the trash cannot be completed');
select throws_ok(format('select public.complete_task(%L)', :'tb'), 'PT404', 'Task not found',
  'A cannot complete B''s task: not found');

-- Bob sees nothing of A through the functions.
select tests.authenticate_as(:'bob');
select set_eq($$select title from public.search_tasks('garden')$$, array['Bob''s garden shed'],
  'B finds only his own task');
select throws_ok(format('select public.complete_task(%L)', :'ta2'), 'PT404', 'Task not found',
  'B cannot complete A''s task');

-- Carol, a guest in A, reads but does not write.
select tests.authenticate_as(:'carol');
select is((select count(*) from public.search_tasks('garden')), 2::bigint, 'a guest of A searches A''s tasks');
select throws_ok(format('select public.complete_task(%L)', :'ta2'), 'PT404', 'Task not found',
  'a guest cannot complete a task');

-- anon may not execute either function.
select tests.authenticate_as_anon();
select throws_ok($$select * from public.search_tasks('garden')$$, '42501', null, 'anon cannot search');
select throws_ok(format('select public.complete_task(%L)', :'ta2'), '42501', null, 'anon cannot complete');

select tests.clear_authentication();
select * from finish();
rollback;
