-- workspaces: members read the workspaces they belong to; owners and admins rename them;
-- nobody creates or deletes one with a raw write (sign-up's trigger and, later, functions
-- do). Workspace A belongs to Alice (owner) with Erin (admin), Dave (member) and Carol
-- (guest); B belongs to Bob.
begin;
select plan(21);

-- Setup, as the superuser.
select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset
select tests.create_user('carol') as carol \gset
select tests.create_user('dave') as dave \gset
select tests.create_user('erin') as erin \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.add_member(:'ws_a', :'carol', 'guest');
select tests.add_member(:'ws_a', :'dave', 'member');
select tests.add_member(:'ws_a', :'erin', 'admin');

-- Alice, the owner of A.
select tests.authenticate_as(:'alice');

select set_eq('select id from public.workspaces', array[:'ws_a']::uuid[],
  'A sees exactly the workspaces she belongs to');

with u as (update public.workspaces set name = 'Alice & Co' where id = :'ws_a' returning name)
select is(max(name), 'Alice & Co', 'the owner renames workspace A') from u;

select throws_ok($$insert into public.workspaces (name) values ('Side project')$$,
  '42501', 'permission denied for table workspaces', 'a workspace cannot be created by a raw insert');

select throws_ok(format($$delete from public.workspaces where id = %L$$, :'ws_a'),
  '42501', 'permission denied for table workspaces', 'not even the owner deletes a workspace by a raw delete');

select throws_ok(format($$update public.workspaces set id = gen_random_uuid() where id = %L$$, :'ws_a'),
  '42501', 'permission denied for table workspaces', 'a workspace id is not updatable');

select throws_ok(format($$update public.workspaces set kind = 'team', created_by = %L where id = %L$$, :'bob', :'ws_a'),
  '42501', 'permission denied for table workspaces', 'kind and created_by are not updatable');

-- Erin, an admin of A.
select tests.authenticate_as(:'erin');

with u as (update public.workspaces set name = 'Alice & Erin' where id = :'ws_a' returning name)
select is(max(name), 'Alice & Erin', 'an admin renames workspace A') from u;

-- Bob, a member of B only.
select tests.authenticate_as(:'bob');

select set_eq('select id from public.workspaces', array[:'ws_b']::uuid[],
  'B sees exactly the workspaces he belongs to');

select is((select count(*) from public.workspaces where id = :'ws_a'), 0::bigint,
  'B cannot read workspace A, even by id');

with u as (update public.workspaces set name = 'Hacked' where id = :'ws_a' returning 1)
select is(count(*), 0::bigint, 'B cannot rename workspace A (0 rows)') from u;

select throws_ok(format($$delete from public.workspaces where id = %L$$, :'ws_a'),
  '42501', 'permission denied for table workspaces', 'B cannot delete workspace A');

-- Dave, a plain member of A: reads, does not rename.
select tests.authenticate_as(:'dave');

select is((select count(*) from public.workspaces where id = :'ws_a'), 1::bigint,
  'a member of A reads workspace A');

with u as (update public.workspaces set name = 'Dave''s now' where id = :'ws_a' returning 1)
select is(count(*), 0::bigint, 'a plain member cannot rename workspace A (0 rows)') from u;

-- Carol, a guest in A: reads, does not rename.
select tests.authenticate_as(:'carol');

select is((select count(*) from public.workspaces where id = :'ws_a'), 1::bigint,
  'a guest of A reads workspace A');

with u as (update public.workspaces set name = 'Guest house' where id = :'ws_a' returning 1)
select is(count(*), 0::bigint, 'a guest cannot rename workspace A (0 rows)') from u;

-- anon: no privilege at all.
select tests.authenticate_as_anon();

select throws_ok('select * from public.workspaces', '42501', 'permission denied for table workspaces',
  'anon cannot select workspaces');
select throws_ok($$insert into public.workspaces (name) values ('Anon')$$, '42501',
  'permission denied for table workspaces', 'anon cannot insert workspaces');
select throws_ok('update public.workspaces set name = ''Anon''', '42501', 'permission denied for table workspaces',
  'anon cannot update workspaces');
select throws_ok('delete from public.workspaces', '42501', 'permission denied for table workspaces',
  'anon cannot delete workspaces');

-- An authenticated role without a user (no sub claim) belongs nowhere.
select tests.clear_authentication();
set local role authenticated;
select is((select count(*) from public.workspaces), 0::bigint,
  'authenticated without a sub claim sees no workspace');

-- Back to Alice: only the owner's and the admin's renames took effect.
select tests.authenticate_as(:'alice');
select results_eq(format('select name, kind from public.workspaces where id = %L', :'ws_a'),
  $$values ('Alice & Erin', 'personal')$$,
  'workspace A is intact after B, the member, the guest and anon tried to change it');

select tests.clear_authentication();
select * from finish();
rollback;
