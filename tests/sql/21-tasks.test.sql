-- tasks: members of a workspace read its tasks; owners, admins and members write; guests
-- only read; anon has no access. Workspace A belongs to Alice (owner), B to Bob; Carol is
-- a guest in A and Dave a plain member of A.
begin;
select plan(28);

-- Setup, as the superuser.
select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset
select tests.create_user('carol') as carol \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.add_member(:'ws_a', :'carol', 'guest');
select tests.create_user('dave') as dave \gset
select tests.add_member(:'ws_a', :'dave', 'member');
insert into public.projects (workspace_id, name) values (:'ws_a', 'Home') returning id as pa \gset
insert into public.projects (workspace_id, name) values (:'ws_b', 'Work') returning id as pb \gset
insert into public.tasks (workspace_id, project_id, title) values (:'ws_a', :'pa', 'Water the plants') returning id as ta \gset
insert into public.tasks (workspace_id, project_id, title) values (:'ws_b', :'pb', 'File the report') returning id as tb \gset

-- Alice, in her own workspace: every command works and returns what it did.
select tests.authenticate_as(:'alice');

select set_eq('select id from public.tasks', array[:'ta']::uuid[],
  'A sees exactly the tasks of workspace A');

with i as (
  insert into public.tasks (workspace_id, project_id, title) values (:'ws_a', :'pa', 'Buy soil')
  returning title, created_by
)
select is(max(title) || ' by ' || max(created_by::text), 'Buy soil by ' || :'alice',
  'A creates a task in A (created_by is A)') from i;

with u as (update public.tasks set title = 'Water the roses', priority = 1 where id = :'ta' returning title, priority)
select is(max(title) || ' p' || max(priority), 'Water the roses p1', 'A edits a task of A') from u;

with u as (update public.tasks set deleted_at = now() where workspace_id = :'ws_a' and title = 'Buy soil' returning deleted_at)
select is(max(deleted_at), now(), 'A moves a task of A to the trash') from u;

with d as (delete from public.tasks where workspace_id = :'ws_a' and title = 'Buy soil' returning 1)
select is(count(*), 1::bigint, 'A deletes a task of A for good') from d;

select throws_ok(
  format($$update public.tasks set workspace_id = %L where id = %L$$, :'ws_b', :'ta'),
  '42501', 'permission denied for table tasks',
  'A cannot move a task to another workspace (workspace_id is not updatable)');

select throws_ok(
  format($$update public.tasks set project_id = %L where id = %L$$, :'pb', :'ta'),
  '23503', 'insert or update on table "tasks" violates foreign key constraint "tasks_workspace_id_project_id_fkey"',
  'A cannot file a task of A under B''s project (the key includes workspace_id)');

select throws_ok(
  format($$insert into public.tasks (workspace_id, title, created_by) values (%L, 'Forged', %L)$$, :'ws_a', :'bob'),
  '42501', 'permission denied for table tasks',
  'A cannot forge created_by');

-- Bob, a member of workspace B only: A's rows are out of reach by every path.
select tests.authenticate_as(:'bob');

select set_eq('select id from public.tasks', array[:'tb']::uuid[],
  'B sees exactly the tasks of workspace B');

select is((select count(*) from public.tasks where id = :'ta'), 0::bigint,
  'B cannot read A''s task, even by id');

select throws_ok(
  format($$insert into public.tasks (workspace_id, title) values (%L, 'Intruder')$$, :'ws_a'),
  '42501', 'new row violates row-level security policy for table "tasks"',
  'B cannot insert a task into A');

select throws_ok(
  format($$insert into public.tasks (workspace_id, project_id, title) values (%L, %L, 'Sneaky')$$, :'ws_b', :'pa'),
  '23503', 'insert or update on table "tasks" violates foreign key constraint "tasks_workspace_id_project_id_fkey"',
  'B cannot attach its task to A''s project');

with u as (update public.tasks set title = 'Hacked' where id = :'ta' returning 1)
select is(count(*), 0::bigint, 'B cannot update A''s task (0 rows)') from u;

with u as (update public.tasks set status = 'completed' where workspace_id = :'ws_a' returning 1)
select is(count(*), 0::bigint, 'B cannot complete A''s tasks (0 rows)') from u;

select throws_ok(
  format($$update public.tasks set workspace_id = %L where id = %L$$, :'ws_a', :'tb'),
  '42501', 'permission denied for table tasks',
  'B cannot move its own task into A');

with d as (delete from public.tasks where id = :'ta' returning 1)
select is(count(*), 0::bigint, 'B cannot delete A''s task (0 rows)') from d;

select throws_ok(
  format($$insert into public.tasks (workspace_id, id, title) values (%L, %L, 'Clash')
           on conflict (workspace_id, id) do update set title = 'Hacked'$$, :'ws_a', :'ta'),
  '42501', 'new row violates row-level security policy for table "tasks"',
  'B cannot upsert over A''s task');

-- Dave, a plain member of A, writes too (only guests are read-only).
select tests.authenticate_as(:'dave');

with i as (
  insert into public.tasks (workspace_id, title) values (:'ws_a', 'Dave''s task') returning created_by
)
select is(max(created_by::text), :'dave', 'a plain member of A creates a task in A') from i;
with d as (delete from public.tasks where workspace_id = :'ws_a' and created_by = :'dave' returning 1)
select is(count(*), 1::bigint, 'a plain member of A deletes a task in A') from d;

-- Carol, a guest in A: reads, never writes.
select tests.authenticate_as(:'carol');

select set_eq(format('select id from public.tasks where workspace_id = %L', :'ws_a'),
  array[:'ta']::uuid[], 'a guest of A reads A''s tasks');

select throws_ok(
  format($$insert into public.tasks (workspace_id, title) values (%L, 'Guest task')$$, :'ws_a'),
  '42501', 'new row violates row-level security policy for table "tasks"',
  'a guest cannot insert a task into A');

with u as (update public.tasks set status = 'completed' where id = :'ta' returning 1)
select is(count(*), 0::bigint, 'a guest cannot update A''s task (0 rows)') from u;

with d as (delete from public.tasks where id = :'ta' returning 1)
select is(count(*), 0::bigint, 'a guest cannot delete A''s task (0 rows)') from d;

-- anon: no privilege at all.
select tests.authenticate_as_anon();

select throws_ok('select * from public.tasks', '42501', 'permission denied for table tasks',
  'anon cannot select tasks');
select throws_ok(
  format($$insert into public.tasks (workspace_id, title) values (%L, 'Anon')$$, :'ws_a'),
  '42501', 'permission denied for table tasks', 'anon cannot insert tasks');
select throws_ok('update public.tasks set title = ''Anon''', '42501', 'permission denied for table tasks',
  'anon cannot update tasks');
select throws_ok('delete from public.tasks', '42501', 'permission denied for table tasks',
  'anon cannot delete tasks');

-- Back to Alice: nothing the others tried changed her task.
select tests.authenticate_as(:'alice');
select results_eq(
  format('select title, status, project_id from public.tasks where workspace_id = %L', :'ws_a'),
  format('values (%L, %L, %L::uuid)', 'Water the roses', 'open', :'pa'),
  'A''s task is intact after B, the guest and anon tried to change it');

select tests.clear_authentication();
select * from finish();
rollback;
