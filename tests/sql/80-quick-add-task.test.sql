-- public.quick_add_task: one transaction creating a task with its project (matched by name
-- ignoring case, else created) and labels (created when missing); a client-generated id
-- makes retries safe. Runs as the caller: guests, other workspaces and anon are refused.
begin;
select plan(22);

select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset
select tests.create_user('carol') as carol \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.add_member(:'ws_a', :'carol', 'guest');
insert into public.projects (workspace_id, name) values (:'ws_a', 'Home') returning id as home \gset
insert into public.projects (workspace_id, name, archived_at) values (:'ws_a', 'Old', now());
insert into public.labels (workspace_id, name) values (:'ws_a', 'Bills') returning id as bills \gset

select ok(
  not (select prosecdef from pg_proc where oid = 'public.quick_add_task(text, uuid, uuid, text, smallint, date, time, text, text, text, text[])'::regprocedure),
  'quick_add_task runs as the caller (security invoker)');
select ok(
  has_function_privilege('authenticated', 'public.quick_add_task(text, uuid, uuid, text, smallint, date, time, text, text, text, text[])', 'execute')
  and not has_function_privilege('anon', 'public.quick_add_task(text, uuid, uuid, text, smallint, date, time, text, text, text, text[])', 'execute'),
  'authenticated may execute quick_add_task, anon may not');

select tests.authenticate_as(:'alice');
select gen_random_uuid() as t1 \gset
create temp table r1 on commit drop as
  select * from public.quick_add_task(title => 'Pay rent', task_id => :'t1', priority => 1::smallint,
    due_date => '2026-12-01', due_tz => 'Europe/Berlin', recurrence => 'FREQ=MONTHLY;BYMONTHDAY=1',
    project_name => 'home', label_names => array['bills', 'money', 'Money']);
select is((select id from r1), :'t1'::uuid, 'the task gets the client''s id');
select is((select workspace_id from r1), :'ws_a'::uuid, 'the workspace defaults to the personal one');
select is((select project_id from r1), :'home'::uuid, 'an existing project is matched by name, ignoring case');
select is((select priority || ' ' || due_date || ' ' || recurrence from r1), '1 2026-12-01 FREQ=MONTHLY;BYMONTHDAY=1',
  'priority, due date and recurrence are stored');
select set_eq(
  format($$select l.name from public.task_labels tl join public.labels l on l.id = tl.label_id where tl.task_id = %L$$, :'t1'),
  array['Bills', 'money'], 'labels are linked: the existing one reused, a missing one created once');
select is((select count(*) from public.labels where workspace_id = :'ws_a'), 2::bigint, 'no duplicate label was created');

-- A retry with the same id and payload returns the task and creates nothing.
select is(
  (select id from public.quick_add_task(title => 'Pay rent', task_id => :'t1', priority => 1::smallint,
    due_date => '2026-12-01', due_tz => 'Europe/Berlin', recurrence => 'FREQ=MONTHLY;BYMONTHDAY=1',
    project_name => 'HOME', label_names => array['money', 'bills'])),
  :'t1'::uuid, 'a retry with the same id and payload returns the existing task');
select is((select count(*) from public.tasks where workspace_id = :'ws_a'), 1::bigint, 'the retry created no task');
select throws_ok(
  format($$select public.quick_add_task(title => 'Pay rent twice', task_id => %L)$$, :'t1'),
  'PT409', 'A different task already has this id', 'the same id with a different payload is a conflict');

-- A new project is created when none matches (archived ones do not count).
select project_id as attic_project from public.quick_add_task(title => 'Sort the attic', project_name => ' Old ') \gset
select is(
  (select name || ':' || (archived_at is null)::text from public.projects where id = :'attic_project'),
  'Old:true', 'an archived project is not matched: a new one is created (name trimmed)');

select throws_ok($$select public.quick_add_task(title => 'x', label_names => array['two words'])$$,
  '22023', 'Label names cannot contain spaces', 'a label with a space is refused');
select throws_ok($$select public.quick_add_task(title => '   ')$$, '23514', null,
  'a blank title is refused by the table''s check');
select throws_ok($$select public.quick_add_task(title => 'x', due_tz => 'Mars/Olympus', due_date => '2026-12-01')$$,
  '23514', null, 'a bad time zone is refused by the table''s check');
select is((select count(*) from public.projects where workspace_id = :'ws_a'), 3::bigint,
  'failed calls left no project behind');

-- Bob cannot write into Alice's workspace; Alice's ids are invisible to him.
select tests.authenticate_as(:'bob');
select throws_ok(format($$select public.quick_add_task(title => 'Intrude', workspace_id => %L)$$, :'ws_a'),
  '42501', 'You cannot add tasks to this workspace', 'B cannot add a task to A''s workspace');
select is(
  (select workspace_id from public.quick_add_task(title => 'Bob task', project_name => 'Home')), :'ws_b'::uuid,
  'B adds to his own workspace');
select is((select count(*) from public.projects where name = 'Home'), 1::bigint,
  'B got his own Home project, not A''s');

-- Carol, a guest of A, cannot add there.
select tests.authenticate_as(:'carol');
select throws_ok(format($$select public.quick_add_task(title => 'Guest task', workspace_id => %L)$$, :'ws_a'),
  '42501', 'You cannot add tasks to this workspace', 'a guest cannot add tasks');

select tests.authenticate_as_anon();
select throws_ok($$select public.quick_add_task(title => 'anon')$$, '42501', null, 'anon may not call it');

select tests.clear_authentication();
select is((select count(*) from public.tasks where title in ('Intrude', 'Guest task')), 0::bigint,
  'refused calls wrote nothing');

select * from finish();
rollback;
