-- workspace_members: a member sees who else belongs to their workspaces. Nobody changes
-- memberships by a raw write (invites, role changes and removal arrive as functions):
-- insert, update and delete are refused outright, so nobody can join a workspace, raise
-- their own role or remove someone. Workspace A belongs to Alice (owner) with Carol
-- (guest); B belongs to Bob.
begin;
select plan(15);

-- Setup, as the superuser.
select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset
select tests.create_user('carol') as carol \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.personal_workspace(:'carol') as ws_c \gset
select tests.add_member(:'ws_a', :'carol', 'guest');

-- Alice, the owner of A.
select tests.authenticate_as(:'alice');

select set_eq('select workspace_id, user_id, role from public.workspace_members',
  format('values (%L::uuid, %L::uuid, %L), (%L, %L, %L)', :'ws_a', :'alice', 'owner', :'ws_a', :'carol', 'guest'),
  'A sees exactly the memberships of workspace A');

select throws_ok(
  format($$insert into public.workspace_members (workspace_id, user_id, role) values (%L, %L, 'member')$$, :'ws_a', :'bob'),
  '42501', 'permission denied for table workspace_members',
  'not even the owner adds a member by a raw insert');

select throws_ok(
  format($$update public.workspace_members set role = 'admin' where workspace_id = %L and user_id = %L$$, :'ws_a', :'carol'),
  '42501', 'permission denied for table workspace_members',
  'not even the owner changes a role by a raw update');

select throws_ok(
  format($$delete from public.workspace_members where workspace_id = %L and user_id = %L$$, :'ws_a', :'carol'),
  '42501', 'permission denied for table workspace_members',
  'not even the owner removes a member by a raw delete');

-- Bob, a member of B only.
select tests.authenticate_as(:'bob');

select set_eq('select workspace_id, user_id from public.workspace_members',
  format('values (%L::uuid, %L::uuid)', :'ws_b', :'bob'),
  'B sees only his own membership of B');

select is((select count(*) from public.workspace_members where workspace_id = :'ws_a'), 0::bigint,
  'B cannot see who belongs to A');

select throws_ok(
  format($$insert into public.workspace_members (workspace_id, user_id, role) values (%L, %L, 'owner')$$, :'ws_a', :'bob'),
  '42501', 'permission denied for table workspace_members',
  'B cannot join workspace A');

select throws_ok(
  format($$update public.workspace_members set workspace_id = %L where user_id = %L$$, :'ws_a', :'bob'),
  '42501', 'permission denied for table workspace_members',
  'B cannot move his membership into A');

select throws_ok(
  format($$delete from public.workspace_members where workspace_id = %L$$, :'ws_a'),
  '42501', 'permission denied for table workspace_members',
  'B cannot remove A''s members');

-- Carol, a guest in A.
select tests.authenticate_as(:'carol');

select set_eq('select workspace_id, user_id, role from public.workspace_members',
  format('values (%L::uuid, %L::uuid, %L), (%L, %L, %L), (%L, %L, %L)',
    :'ws_a', :'alice', 'owner', :'ws_a', :'carol', 'guest', :'ws_c', :'carol', 'owner'),
  'a guest of A sees the members of A and of her own workspace');

select throws_ok(
  format($$update public.workspace_members set role = 'owner' where workspace_id = %L and user_id = %L$$, :'ws_a', :'carol'),
  '42501', 'permission denied for table workspace_members',
  'a guest cannot raise her own role');

select throws_ok(
  'select private.my_workspace_ids()', '42501', 'permission denied for schema private',
  'the membership helpers are not callable directly');

-- anon: no privilege at all.
select tests.authenticate_as_anon();

select throws_ok('select * from public.workspace_members', '42501',
  'permission denied for table workspace_members', 'anon cannot select memberships');
select throws_ok(
  format($$insert into public.workspace_members (workspace_id, user_id) values (%L, %L)$$, :'ws_a', :'bob'),
  '42501', 'permission denied for table workspace_members', 'anon cannot insert memberships');

-- Back to Alice: the memberships of A are as they were.
select tests.authenticate_as(:'alice');
select set_eq(format('select user_id, role from public.workspace_members where workspace_id = %L', :'ws_a'),
  format('values (%L::uuid, %L), (%L, %L)', :'alice', 'owner', :'carol', 'guest'),
  'the memberships of A are intact after B, the guest and anon tried to change them');

select tests.clear_authentication();
select * from finish();
rollback;
