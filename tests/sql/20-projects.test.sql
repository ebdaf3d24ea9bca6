-- projects: members of a workspace read its projects; owners, admins and members write;
-- guests only read; anon has no access. Workspace A belongs to Alice (owner), B to Bob;
-- Carol is a guest in A.
begin;
select plan(22);

-- Setup, as the superuser.
select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset
select tests.create_user('carol') as carol \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.add_member(:'ws_a', :'carol', 'guest');
insert into public.projects (workspace_id, name) values (:'ws_a', 'Home') returning id as pa \gset
insert into public.projects (workspace_id, name) values (:'ws_b', 'Work') returning id as pb \gset

-- Alice, in her own workspace: every command works and returns what it did.
select tests.authenticate_as(:'alice');

select set_eq('select id from public.projects', array[:'pa']::uuid[],
  'A sees exactly the projects of workspace A');

with i as (
  insert into public.projects (workspace_id, name) values (:'ws_a', 'Garden') returning name, created_by
)
select is(max(name) || ' by ' || max(created_by::text), 'Garden by ' || :'alice',
  'A creates a project in A (created_by is A)') from i;

with u as (update public.projects set name = 'House' where id = :'pa' returning name)
select is(max(name), 'House', 'A renames a project of A') from u;

with d as (delete from public.projects where workspace_id = :'ws_a' and name = 'Garden' returning 1)
select is(count(*), 1::bigint, 'A deletes a project of A') from d;

select throws_ok(
  format($$update public.projects set workspace_id = %L where id = %L$$, :'ws_b', :'pa'),
  '42501', 'permission denied for table projects',
  'A cannot move a project to another workspace (workspace_id is not updatable)');

select throws_ok(
  format($$insert into public.projects (workspace_id, name, created_by) values (%L, 'Forged', %L)$$, :'ws_a', :'bob'),
  '42501', 'permission denied for table projects',
  'A cannot forge created_by');

-- Bob, a member of workspace B only: A's rows are out of reach by every path.
select tests.authenticate_as(:'bob');

select set_eq('select id from public.projects', array[:'pb']::uuid[],
  'B sees exactly the projects of workspace B');

select is((select count(*) from public.projects where id = :'pa'), 0::bigint,
  'B cannot read A''s project, even by id');

select throws_ok(
  format($$insert into public.projects (workspace_id, name) values (%L, 'Intruder')$$, :'ws_a'),
  '42501', 'new row violates row-level security policy for table "projects"',
  'B cannot insert a project into A');

with u as (update public.projects set name = 'Hacked' where id = :'pa' returning 1)
select is(count(*), 0::bigint, 'B cannot update A''s project (0 rows)') from u;

select throws_ok(
  format($$update public.projects set workspace_id = %L where id = %L$$, :'ws_a', :'pb'),
  '42501', 'permission denied for table projects',
  'B cannot move its own project into A');

with d as (delete from public.projects where id = :'pa' returning 1)
select is(count(*), 0::bigint, 'B cannot delete A''s project (0 rows)') from d;

select throws_ok(
  format($$insert into public.projects (workspace_id, id, name) values (%L, %L, 'Clash')
           on conflict (workspace_id, id) do update set name = 'Hacked'$$, :'ws_a', :'pa'),
  '42501', 'new row violates row-level security policy for table "projects"',
  'B cannot upsert over A''s project');

-- Carol, a guest in A: reads, never writes.
select tests.authenticate_as(:'carol');

select set_eq(format('select id from public.projects where workspace_id = %L', :'ws_a'),
  array[:'pa']::uuid[], 'a guest of A reads A''s projects');

select throws_ok(
  format($$insert into public.projects (workspace_id, name) values (%L, 'Guest project')$$, :'ws_a'),
  '42501', 'new row violates row-level security policy for table "projects"',
  'a guest cannot insert a project into A');

with u as (update public.projects set name = 'Guest edit' where id = :'pa' returning 1)
select is(count(*), 0::bigint, 'a guest cannot update A''s project (0 rows)') from u;

with d as (delete from public.projects where id = :'pa' returning 1)
select is(count(*), 0::bigint, 'a guest cannot delete A''s project (0 rows)') from d;

-- anon: no privilege at all.
select tests.authenticate_as_anon();

select throws_ok('select * from public.projects', '42501', 'permission denied for table projects',
  'anon cannot select projects');
select throws_ok(
  format($$insert into public.projects (workspace_id, name) values (%L, 'Anon')$$, :'ws_a'),
  '42501', 'permission denied for table projects', 'anon cannot insert projects');
select throws_ok('update public.projects set name = ''Anon''', '42501', 'permission denied for table projects',
  'anon cannot update projects');
select throws_ok('delete from public.projects', '42501', 'permission denied for table projects',
  'anon cannot delete projects');

-- Back to Alice: nothing the others tried changed her project.
select tests.authenticate_as(:'alice');
select results_eq(
  format('select name from public.projects where workspace_id = %L', :'ws_a'),
  array['House'], 'A''s project is intact after B, the guest and anon tried to change it');

select tests.clear_authentication();
select * from finish();
rollback;
