-- labels: members of a workspace read its labels; owners, admins and members write;
-- guests only read; anon has no access. Workspace A belongs to Alice (owner), B to Bob;
-- Carol is a guest in A.
begin;
select plan(21);

-- Setup, as the superuser.
select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset
select tests.create_user('carol') as carol \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.add_member(:'ws_a', :'carol', 'guest');
insert into public.labels (workspace_id, name) values (:'ws_a', 'home') returning id as la \gset
insert into public.labels (workspace_id, name) values (:'ws_b', 'work') returning id as lb \gset

-- Alice, in her own workspace: every command works and returns what it did.
select tests.authenticate_as(:'alice');

select set_eq('select id from public.labels', array[:'la']::uuid[],
  'A sees exactly the labels of workspace A');

with i as (
  insert into public.labels (workspace_id, name, color) values (:'ws_a', 'errands', 'green')
  returning name, created_by
)
select is(max(name) || ' by ' || max(created_by::text), 'errands by ' || :'alice',
  'A creates a label in A (created_by is A)') from i;

with u as (update public.labels set name = 'house', color = '#aa00ff' where id = :'la' returning name, color)
select is(max(name) || ' ' || max(color), 'house #aa00ff', 'A edits a label of A') from u;

with d as (delete from public.labels where workspace_id = :'ws_a' and name = 'errands' returning 1)
select is(count(*), 1::bigint, 'A deletes a label of A') from d;

select throws_ok(
  format($$update public.labels set workspace_id = %L where id = %L$$, :'ws_b', :'la'),
  '42501', 'permission denied for table labels',
  'A cannot move a label to another workspace (workspace_id is not updatable)');

-- Bob, a member of workspace B only: A's rows are out of reach by every path.
select tests.authenticate_as(:'bob');

select set_eq('select id from public.labels', array[:'lb']::uuid[],
  'B sees exactly the labels of workspace B');

select is((select count(*) from public.labels where id = :'la'), 0::bigint,
  'B cannot read A''s label, even by id');

select throws_ok(
  format($$insert into public.labels (workspace_id, name) values (%L, 'intruder')$$, :'ws_a'),
  '42501', 'new row violates row-level security policy for table "labels"',
  'B cannot insert a label into A');

with u as (update public.labels set name = 'hacked' where id = :'la' returning 1)
select is(count(*), 0::bigint, 'B cannot update A''s label (0 rows)') from u;

select throws_ok(
  format($$update public.labels set workspace_id = %L where id = %L$$, :'ws_a', :'lb'),
  '42501', 'permission denied for table labels',
  'B cannot move its own label into A');

with d as (delete from public.labels where id = :'la' returning 1)
select is(count(*), 0::bigint, 'B cannot delete A''s label (0 rows)') from d;

-- Label names are unique per workspace only: B may use a name A already has, and learns
-- nothing about A's labels from it.
with i as (insert into public.labels (workspace_id, name) values (:'ws_b', 'house') returning name)
select is(max(name), 'house', 'B creates a label whose name A also uses') from i;

-- Carol, a guest in A: reads, never writes.
select tests.authenticate_as(:'carol');

select set_eq(format('select id from public.labels where workspace_id = %L', :'ws_a'),
  array[:'la']::uuid[], 'a guest of A reads A''s labels');

select throws_ok(
  format($$insert into public.labels (workspace_id, name) values (%L, 'guest')$$, :'ws_a'),
  '42501', 'new row violates row-level security policy for table "labels"',
  'a guest cannot insert a label into A');

with u as (update public.labels set name = 'guest' where id = :'la' returning 1)
select is(count(*), 0::bigint, 'a guest cannot update A''s label (0 rows)') from u;

with d as (delete from public.labels where id = :'la' returning 1)
select is(count(*), 0::bigint, 'a guest cannot delete A''s label (0 rows)') from d;

-- anon: no privilege at all.
select tests.authenticate_as_anon();

select throws_ok('select * from public.labels', '42501', 'permission denied for table labels',
  'anon cannot select labels');
select throws_ok(
  format($$insert into public.labels (workspace_id, name) values (%L, 'anon')$$, :'ws_a'),
  '42501', 'permission denied for table labels', 'anon cannot insert labels');
select throws_ok('update public.labels set name = ''anon''', '42501', 'permission denied for table labels',
  'anon cannot update labels');
select throws_ok('delete from public.labels', '42501', 'permission denied for table labels',
  'anon cannot delete labels');

-- Back to Alice: nothing the others tried changed her label.
select tests.authenticate_as(:'alice');
select results_eq(
  format('select name, color from public.labels where workspace_id = %L', :'ws_a'),
  $$values ('house', '#aa00ff')$$,
  'A''s label is intact after B, the guest and anon tried to change it');

select tests.clear_authentication();
select * from finish();
rollback;
