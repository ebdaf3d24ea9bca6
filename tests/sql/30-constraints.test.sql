-- The database refuses bad data itself, with an error that names the rule (the APIs turn
-- it into a 400): whatever client writes, through whichever API. Runs as Alice, a signed-in
-- owner, so it also proves the checks work for the role the APIs use.
begin;
select plan(32);

select tests.create_user('alice') as alice \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.create_user('bob') as bob \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.authenticate_as(:'alice');

-- Titles and names.
select throws_ok(format($$insert into public.tasks (workspace_id, title) values (%L, '')$$, :'ws_a'),
  '23514', 'new row for relation "tasks" violates check constraint "tasks_title_length"',
  'an empty title is refused');
select throws_ok(format($$insert into public.tasks (workspace_id, title) values (%L, '    ')$$, :'ws_a'),
  '23514', 'new row for relation "tasks" violates check constraint "tasks_title_length"',
  'a title of spaces is refused');
select throws_ok(format($$insert into public.tasks (workspace_id, title) values (%L, E' \t\n\r ')$$, :'ws_a'),
  '23514', 'new row for relation "tasks" violates check constraint "tasks_title_not_blank"',
  'a title of tabs and newlines is refused');
select throws_ok(format($$insert into public.tasks (workspace_id, title) values (%L, E'\u00a0\u200b')$$, :'ws_a'),
  '23514', 'new row for relation "tasks" violates check constraint "tasks_title_not_blank"',
  'a title of no-break and zero-width spaces is refused');
select throws_ok(format($$insert into public.tasks (workspace_id, title) values (%L, repeat('x', 100000))$$, :'ws_a'),
  '23514', 'new row for relation "tasks" violates check constraint "tasks_title_length"',
  'a 100 KB title is refused');
with i as (insert into public.tasks (workspace_id, title) values (:'ws_a', repeat('x', 500)) returning title)
select is(max(char_length(title)), 500, 'a 500-character title is accepted') from i;
select throws_ok(format($$insert into public.tasks (workspace_id, title, notes) values (%L, 'x', repeat('n', 20001))$$, :'ws_a'),
  '23514', 'new row for relation "tasks" violates check constraint "tasks_notes_length"',
  'notes over 20,000 characters are refused');
select throws_ok(format($$insert into public.projects (workspace_id, name) values (%L, E'\t')$$, :'ws_a'),
  '23514', 'new row for relation "projects" violates check constraint "projects_name_not_blank"',
  'a blank project name is refused');
select throws_ok(format($$update public.workspaces set name = E'\n' where id = %L$$, :'ws_a'),
  '23514', 'new row for relation "workspaces" violates check constraint "workspaces_name_not_blank"',
  'a blank workspace name is refused');

-- Priority and recurrence.
select throws_ok(format($$insert into public.tasks (workspace_id, title, priority) values (%L, 'x', 0)$$, :'ws_a'),
  '23514', 'new row for relation "tasks" violates check constraint "tasks_priority_range"',
  'priority 0 is refused');
select throws_ok(format($$insert into public.tasks (workspace_id, title, priority) values (%L, 'x', 5)$$, :'ws_a'),
  '23514', 'new row for relation "tasks" violates check constraint "tasks_priority_range"',
  'priority 5 is refused');
select throws_ok(format($$insert into public.tasks (workspace_id, title, recurrence) values (%L, 'x', 'every day')$$, :'ws_a'),
  '23514', 'new row for relation "tasks" violates check constraint "tasks_recurrence_format"',
  'a recurrence that is not an RRULE is refused');

-- Due dates, times and zones.
select throws_ok(format($$insert into public.tasks (workspace_id, title, due_date) values (%L, 'x', '2025-02-30')$$, :'ws_a'),
  '22008', 'date/time field value out of range: "2025-02-30"',
  'a due date of 30 February is refused');
select throws_ok(format($$insert into public.tasks (workspace_id, title, due_time) values (%L, 'x', '09:00')$$, :'ws_a'),
  '23514', 'new row for relation "tasks" violates check constraint "tasks_due_time_needs_date"',
  'a due time without a due date is refused');
select throws_ok(format($$insert into public.tasks (workspace_id, title, due_tz) values (%L, 'x', 'Europe/Berlin')$$, :'ws_a'),
  '23514', 'new row for relation "tasks" violates check constraint "tasks_due_tz_needs_date"',
  'a time zone without a due date is refused');
-- Generated columns are computed before CHECKs run; due_at skips zones that
-- is_valid_timezone() refuses, so the error is the named check, not a bare 22023.
select throws_ok(
  format($$insert into public.tasks (workspace_id, title, due_date, due_tz) values (%L, 'x', '2026-05-01', 'Mars/Phobos')$$, :'ws_a'),
  '23514', 'new row for relation "tasks" violates check constraint "tasks_due_tz_valid"',
  'an unknown time zone is refused');

-- due_at, the derived due instant.
with i as (
  insert into public.tasks (workspace_id, title, due_date, due_time, due_tz)
  values (:'ws_a', 'Dentist', '2026-07-14', '09:30', 'Europe/Berlin') returning due_at
)
select is(max(due_at), '2026-07-14 07:30:00+00'::timestamptz, 'due_at of a date, time and zone (CEST, UTC+2)') from i;
-- 2026-03-29 02:30 does not exist in Berlin (clocks jump 02:00 -> 03:00). Postgres reads
-- a time in the gap with the offset in force before the jump (CET, UTC+1): 01:30 UTC,
-- which is 03:30 on Berlin's clocks. Pinned so a change of that rule is noticed.
with i as (
  insert into public.tasks (workspace_id, title, due_date, due_time, due_tz)
  values (:'ws_a', 'Spring forward', '2026-03-29', '02:30', 'Europe/Berlin') returning due_at
)
select is(max(due_at), '2026-03-29 01:30:00+00'::timestamptz, 'due_at of a nonexistent local time (DST gap)') from i;
with i as (
  insert into public.tasks (workspace_id, title, due_date, due_tz)
  values (:'ws_a', 'Taxes', '2026-03-10', 'Europe/Berlin') returning due_at
)
select is(max(due_at), '2026-03-10 22:59:59+00'::timestamptz, 'due_at of a date-only task is the end of that day in its zone') from i;
with i as (
  insert into public.tasks (workspace_id, title, due_date) values (:'ws_a', 'Someday', '2026-03-10') returning due_at
)
select is(max(due_at), '2026-03-10 23:59:59+00'::timestamptz, 'due_at of a date-only task without a zone is the end of the day in UTC') from i;
with u as (
  update public.tasks set due_time = '18:00' where workspace_id = :'ws_a' and title = 'Taxes' returning due_at
)
select is(max(due_at), '2026-03-10 17:00:00+00'::timestamptz, 'due_at follows an edit of the due time') from u;

-- completed_at follows status (now() is the transaction's start, the same inside triggers).
insert into public.tasks (workspace_id, title) values (:'ws_a', 'Laundry') returning id as t_laundry \gset
with u as (update public.tasks set status = 'completed' where id = :'t_laundry' returning completed_at)
select is(max(completed_at), now(), 'completing a task stamps completed_at') from u;
with u as (update public.tasks set status = 'open' where id = :'t_laundry' returning completed_at)
select is((select count(*) from u where completed_at is null), 1::bigint, 'reopening a task clears completed_at');
with i as (insert into public.tasks (workspace_id, title, status) values (:'ws_a', 'Done already', 'completed') returning completed_at)
select is(max(completed_at), now(), 'a task created completed gets completed_at') from i;
with i as (
  insert into public.tasks (workspace_id, title, completed_at) values (:'ws_a', 'Not done', '2026-01-01') returning completed_at
)
select is((select count(*) from i where completed_at is null), 1::bigint, 'an open task cannot carry completed_at (cleared)');
with u as (
  update public.tasks set completed_at = '2026-01-01' where id = :'t_laundry' returning completed_at
)
select is((select count(*) from u where completed_at is null), 1::bigint, 'completed_at cannot be set on an open task (cleared)');

-- Labels.
select throws_ok(format($$insert into public.labels (workspace_id, name) values (%L, 'two words')$$, :'ws_a'),
  '23514', 'new row for relation "labels" violates check constraint "labels_name_format"',
  'a label name with a space is refused');
select throws_ok(format($$insert into public.labels (workspace_id, name) values (%L, E'\u00a0')$$, :'ws_a'),
  '23514', 'new row for relation "labels" violates check constraint "labels_name_not_blank"',
  'a label name of a no-break space is refused');
select throws_ok(format($$insert into public.labels (workspace_id, name, color) values (%L, 'x', 'red; drop')$$, :'ws_a'),
  '23514', 'new row for relation "labels" violates check constraint "labels_color_valid"',
  'a label colour outside the palette and #rrggbb is refused');
insert into public.labels (workspace_id, name) values (:'ws_a', 'Home');
select throws_ok(format($$insert into public.labels (workspace_id, name) values (%L, 'HOME')$$, :'ws_a'),
  '23505', 'duplicate key value violates unique constraint "labels_name_key"',
  'a second label of the same name in another case is refused');
insert into public.labels (workspace_id, name) values (:'ws_a', 'other');
select throws_ok(format($$update public.labels set name = 'hOmE' where workspace_id = %L and name = 'other'$$, :'ws_a'),
  '23505', 'duplicate key value violates unique constraint "labels_name_key"',
  'renaming a label onto an existing name in another case is refused');
select tests.authenticate_as(:'bob');
with i as (insert into public.labels (workspace_id, name) values (:'ws_b', 'home') returning name)
select is(max(name), 'home', 'the same label name is fine in another workspace') from i;

select tests.clear_authentication();
select * from finish();
rollback;
