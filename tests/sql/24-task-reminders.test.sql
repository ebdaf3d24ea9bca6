-- task_reminders: like their tasks, members read; owners, admins and members add, change and
-- remove; guests only read; anon has no access. Inserting as a member schedules the job
-- (security definer trigger) though members have no rights on the queue. The checks refuse
-- malformed reminders, and the instants follow RFC 5545 around DST (docs/recurrence.md).
-- Workspace A belongs to Alice (owner), B to Bob; Carol is a guest in A.
begin;
select plan(26);

select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset
select tests.create_user('carol') as carol \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.add_member(:'ws_a', :'carol', 'guest');
insert into public.tasks (workspace_id, title, due_date, due_time, due_tz)
  values (:'ws_a', 'Dentist', '2099-03-14', '09:00', 'America/New_York') returning id as ta \gset
insert into public.tasks (workspace_id, title, due_date) values (:'ws_b', 'Report', '2099-01-01') returning id as tb \gset
insert into public.task_reminders (workspace_id, task_id, kind) values (:'ws_a', :'ta', 'at_due') returning id as ra \gset
insert into public.task_reminders (workspace_id, task_id, kind) values (:'ws_b', :'tb', 'at_due') returning id as rb \gset

-- Alice, in her own workspace.
select tests.authenticate_as(:'alice');

select set_eq('select id from public.task_reminders', array[:'ra']::uuid[], 'A sees exactly the reminders of workspace A');

with i as (
  insert into public.task_reminders (workspace_id, task_id, kind, offset_amount, offset_unit)
  values (:'ws_a', :'ta', 'before_due', 1, 'days') returning id, created_by
)
select is(max(created_by::text), :'alice', 'A adds a reminder to a task of A; it is stamped as hers') from i;

with u as (update public.task_reminders set kind = 'before_due', offset_amount = 10, offset_unit = 'minutes'
           where id = :'ra' returning 1)
select is(count(*), 1::bigint, 'A changes a reminder of A') from u;

select throws_ok(
  format($$update public.task_reminders set task_id = %L where id = %L$$, :'tb', :'ra'),
  '42501', 'permission denied for table task_reminders', 'a reminder cannot be moved to another task');

select throws_ok(
  format($$insert into public.task_reminders (workspace_id, task_id, kind, remind_at) values (%L, %L, 'at_due', now())$$, :'ws_a', :'ta'),
  '23514', null, 'an at_due reminder with a time is refused (task_reminders_shape)');
select throws_ok(
  format($$insert into public.task_reminders (workspace_id, task_id, kind, offset_amount, offset_unit) values (%L, %L, 'before_due', 400, 'days')$$, :'ws_a', :'ta'),
  '23514', null, 'more than 365 days before is refused (task_reminders_offset_range)');
select throws_ok(
  format($$insert into public.task_reminders (workspace_id, task_id, kind, offset_amount, offset_unit) values (%L, %L, 'before_due', 1, 'weeks')$$, :'ws_a', :'ta'),
  '23514', null, 'an unknown unit is refused (task_reminders_offset_unit_valid)');
select throws_ok(
  format($$insert into public.task_reminders (workspace_id, task_id, kind) values (%L, %L, 'sometime')$$, :'ws_a', :'ta'),
  '23514', null, 'an unknown kind is refused (task_reminders_kind_valid)');

-- Bob, a member of workspace B only.
select tests.authenticate_as(:'bob');

select set_eq('select id from public.task_reminders', array[:'rb']::uuid[], 'B sees exactly the reminders of workspace B');
select throws_ok(
  format($$insert into public.task_reminders (workspace_id, task_id, kind) values (%L, %L, 'at_due')$$, :'ws_a', :'ta'),
  '42501', 'new row violates row-level security policy for table "task_reminders"', 'B cannot add a reminder in A');
select throws_ok(
  format($$insert into public.task_reminders (workspace_id, task_id, kind) values (%L, %L, 'at_due')$$, :'ws_b', :'ta'),
  '23503', null, 'B cannot point a reminder of B at A''s task');
with u as (update public.task_reminders set offset_amount = 5 where id = :'ra' returning 1)
select is(count(*), 0::bigint, 'B cannot change A''s reminder (0 rows)') from u;
with d as (delete from public.task_reminders where id = :'ra' returning 1)
select is(count(*), 0::bigint, 'B cannot delete A''s reminder (0 rows)') from d;

-- Carol, a guest in A: reads, never writes.
select tests.authenticate_as(:'carol');

select is((select count(*) from public.task_reminders where workspace_id = :'ws_a'), 2::bigint,
  'a guest of A reads A''s reminders');
select throws_ok(
  format($$insert into public.task_reminders (workspace_id, task_id, kind) values (%L, %L, 'at_due')$$, :'ws_a', :'ta'),
  '42501', 'new row violates row-level security policy for table "task_reminders"', 'a guest cannot add reminders');
with d as (delete from public.task_reminders where id = :'ra' returning 1)
select is(count(*), 0::bigint, 'a guest cannot delete reminders (0 rows)') from d;

-- anon: no privilege at all.
select tests.authenticate_as_anon();
select throws_ok('select * from public.task_reminders', '42501', 'permission denied for table task_reminders',
  'anon cannot select reminders');
select throws_ok(
  format($$insert into public.task_reminders (workspace_id, task_id, kind) values (%L, %L, 'at_due')$$, :'ws_a', :'ta'),
  '42501', 'permission denied for table task_reminders', 'anon cannot insert reminders');
select throws_ok('delete from public.task_reminders', '42501', 'permission denied for table task_reminders',
  'anon cannot delete reminders');

select tests.clear_authentication();

-- Jobs: one per reminder, keyed reminder:<id>, at the fire instant.
select is(
  (select run_at from graphile_worker._private_jobs where key = 'reminder:' || :'ra'),
  timestamptz '2099-03-14 12:50:00+00',
  '10 minutes before 09:00 EDT (New York springs forward on 8 March 2099)');
select is(
  (select count(*) from graphile_worker._private_jobs where key like 'reminder:%'
     and payload->>'workspace_id' in (:'ws_a', :'ws_b')),
  3::bigint, 'one job per reminder');

-- The instant helpers, RFC 5545 style.
select is(private.local_to_instant('2099-03-08', '02:30', 'America/New_York'), timestamptz '2099-03-08 07:30:00+00',
  'a nonexistent 02:30 is read with the offset before the gap (03:30 EDT)');
select is(private.local_to_instant('2099-11-01', '01:30', 'America/New_York'), timestamptz '2099-11-01 05:30:00+00',
  'a repeated 01:30 is the first (EDT)');
select is(private.reminder_fire_at('before_due', 1, 'days', null, '2099-03-08', '09:00', 'America/New_York'),
  timestamptz '2099-03-07 14:00:00+00', '1 day before 09:00 EDT is 09:00 EST the day before (23 hours, not 24)');

-- Completing the task removes the jobs; purging removes the reminders.
update public.tasks set status = 'completed' where id = :'ta';
select is((select count(*) from graphile_worker._private_jobs where key like 'reminder:%' and payload->>'workspace_id' = :'ws_a'),
  0::bigint, 'completing the task cancels its reminders'' jobs');
delete from public.tasks where id = :'ta';
select is((select count(*) from public.task_reminders where task_id = :'ta'), 0::bigint,
  'purging the task deletes its reminders');

select * from finish();
rollback;
