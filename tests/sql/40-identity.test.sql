-- Identity: a user never exists without a personal workspace, and the helpers the
-- policies rest on (auth.uid(), my_personal_workspace_id()) answer for the caller only.
-- Row counts on identity.users and the trigger's output are facts about stored data, so
-- they are read as the superuser; what a user sees is read as that user.
begin;
select plan(20);

-- Sign-up: one personal workspace, one owner membership.
select tests.create_user('ivy') as ivy \gset

select results_eq(
  format($$select kind, name from public.workspaces where created_by = %L$$, :'ivy'),
  $$values ('personal', 'Personal')$$,
  'a new user gets exactly one workspace, a personal one');

select results_eq(
  format($$select m.workspace_id, m.role from public.workspace_members m where m.user_id = %L$$, :'ivy'),
  format($$select w.id, 'owner'::text from public.workspaces w where w.created_by = %L$$, :'ivy'),
  'a new user gets exactly one membership: owner of that workspace');

insert into identity.users (name, email, email_verified)
values ('Jo', 'jo@example.test', false), ('Kim', 'kim@example.test', false);
select results_eq(
  $$select u.email, count(w.id), count(m.user_id) from identity.users u
    left join public.workspaces w on w.created_by = u.id
    left join public.workspace_members m on m.workspace_id = w.id and m.user_id = u.id and m.role = 'owner'
    where u.email in ('jo@example.test', 'kim@example.test') group by u.email order by u.email$$,
  $$values ('jo@example.test', 1::bigint, 1::bigint), ('kim@example.test', 1::bigint, 1::bigint)$$,
  'a multi-row insert gives each user exactly one workspace and owner membership');

select throws_ok($$insert into identity.users (name, email, email_verified) values ('Ivy 2', 'IVY@example.test', false)$$,
  '23505', 'duplicate key value violates unique constraint "users_email_lower_key"',
  'emails are unique regardless of case');

-- All or nothing: if the workspace or the membership cannot be created, the user is not
-- created either (and a workspace created first does not linger).
create function tests.tg_fail() returns trigger language plpgsql as $$
begin
  raise exception '% creation failed (test)', tg_table_name;
end
$$;
select count(*) as workspaces_before from public.workspaces \gset

create trigger _000_fail before insert on public.workspaces
  for each row execute function tests.tg_fail();
select throws_ok($$insert into identity.users (name, email, email_verified) values ('Zoe', 'zoe@example.test', false)$$,
  'P0001', 'workspaces creation failed (test)',
  'a failure creating the personal workspace fails the sign-up');
select is_empty($$select 1 from identity.users where email = 'zoe@example.test'$$,
  'the user whose workspace failed does not exist');
drop trigger _000_fail on public.workspaces;

create trigger _000_fail before insert on public.workspace_members
  for each row execute function tests.tg_fail();
select throws_ok($$insert into identity.users (name, email, email_verified) values ('Zoe', 'zoe@example.test', false)$$,
  'P0001', 'workspace_members creation failed (test)',
  'a failure creating the owner membership fails the sign-up');
select is_empty($$select 1 from identity.users where email = 'zoe@example.test'$$,
  'the user whose membership failed does not exist');
select is((select count(*) from public.workspaces), :'workspaces_before'::bigint,
  'the workspace created before the membership failed does not linger');
drop trigger _000_fail on public.workspace_members;
drop function tests.tg_fail();

-- my_personal_workspace_id() and auth.uid() answer for the caller.
select tests.create_user('leo') as leo \gset
select tests.personal_workspace(:'ivy') as ws_ivy \gset
select tests.personal_workspace(:'leo') as ws_leo \gset

select tests.authenticate_as(:'ivy');
select is(auth.uid(), :'ivy'::uuid, 'auth.uid() is the signed-in user');
select is(auth.role(), 'authenticated', 'auth.role() is authenticated');
select is(public.my_personal_workspace_id(), :'ws_ivy'::uuid, 'my_personal_workspace_id() is Ivy''s workspace for Ivy');
select throws_ok('select count(*) from identity.users', '42501', 'permission denied for schema identity',
  'a signed-in user cannot read identity.users');

select tests.authenticate_as(:'leo');
select is(public.my_personal_workspace_id(), :'ws_leo'::uuid, 'my_personal_workspace_id() is Leo''s workspace for Leo');

-- A guest membership elsewhere is not a personal workspace.
select tests.clear_authentication();
select tests.add_member(:'ws_ivy', :'leo', 'guest');
select tests.authenticate_as(:'leo');
select is(public.my_personal_workspace_id(), :'ws_leo'::uuid, 'another workspace joined later does not change it');

select tests.authenticate_as_anon();
select is(auth.uid(), null, 'auth.uid() is null for anon');
select throws_ok('select public.my_personal_workspace_id()', '42501',
  'permission denied for function my_personal_workspace_id', 'anon cannot call my_personal_workspace_id()');

select tests.clear_authentication();
select is(auth.uid(), null, 'auth.uid() is null with no claims');
select is(auth.jwt(), null, 'auth.jwt() is null with no claims');

-- Deleting a user removes their memberships (their workspaces stay, created_by cleared).
delete from identity.users where id = :'leo';
select is_empty(format($$select 1 from public.workspace_members where user_id = %L$$, :'leo'),
  'deleting a user removes all their memberships');

select * from finish();
rollback;
