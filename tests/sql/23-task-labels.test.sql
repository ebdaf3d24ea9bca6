-- task_labels: which labels a task carries. Members read; owners, admins and members
-- attach and detach; there is no update (detach and attach instead); guests only read;
-- anon has no access. Workspace A belongs to Alice (owner), B to Bob; Carol is a guest in A.
begin;
select plan(21);

-- Setup, as the superuser.
select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset
select tests.create_user('carol') as carol \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.add_member(:'ws_a', :'carol', 'guest');
insert into public.tasks (workspace_id, title) values (:'ws_a', 'Water the plants') returning id as ta \gset
insert into public.tasks (workspace_id, title) values (:'ws_b', 'File the report') returning id as tb \gset
insert into public.labels (workspace_id, name) values (:'ws_a', 'home') returning id as la \gset
insert into public.labels (workspace_id, name) values (:'ws_a', 'garden') returning id as la2 \gset
insert into public.labels (workspace_id, name) values (:'ws_b', 'work') returning id as lb \gset
insert into public.task_labels (workspace_id, task_id, label_id) values (:'ws_a', :'ta', :'la');
insert into public.task_labels (workspace_id, task_id, label_id) values (:'ws_b', :'tb', :'lb');

-- Alice, in her own workspace.
select tests.authenticate_as(:'alice');

select set_eq('select label_id from public.task_labels', array[:'la']::uuid[],
  'A sees exactly the task labels of workspace A');

with i as (
  insert into public.task_labels (workspace_id, task_id, label_id) values (:'ws_a', :'ta', :'la2')
  returning label_id
)
select is(max(label_id::text), :'la2', 'A labels a task of A') from i;

with d as (delete from public.task_labels where task_id = :'ta' and label_id = :'la2' returning 1)
select is(count(*), 1::bigint, 'A removes a label from a task of A') from d;

select throws_ok(
  format($$update public.task_labels set label_id = %L where task_id = %L$$, :'la2', :'ta'),
  '42501', 'permission denied for table task_labels',
  'task labels are not updatable (detach and attach instead)');

-- Bob, a member of workspace B only.
select tests.authenticate_as(:'bob');

select set_eq('select label_id from public.task_labels', array[:'lb']::uuid[],
  'B sees exactly the task labels of workspace B');

select is((select count(*) from public.task_labels where task_id = :'ta'), 0::bigint,
  'B cannot read the labels of A''s task');

select throws_ok(
  format($$insert into public.task_labels (workspace_id, task_id, label_id) values (%L, %L, %L)$$, :'ws_a', :'ta', :'la2'),
  '42501', 'new row violates row-level security policy for table "task_labels"',
  'B cannot label A''s task');

select throws_ok(
  format($$insert into public.task_labels (workspace_id, task_id, label_id) values (%L, %L, %L)$$, :'ws_b', :'tb', :'la'),
  '23503', 'insert or update on table "task_labels" violates foreign key constraint "task_labels_workspace_id_label_id_fkey"',
  'B cannot put A''s label on its own task');

select throws_ok(
  format($$insert into public.task_labels (workspace_id, task_id, label_id) values (%L, %L, %L)$$, :'ws_b', :'ta', :'lb'),
  '23503', 'insert or update on table "task_labels" violates foreign key constraint "task_labels_workspace_id_task_id_fkey"',
  'B cannot put its label on A''s task');

select throws_ok(
  format($$update public.task_labels set workspace_id = %L where task_id = %L$$, :'ws_a', :'tb'),
  '42501', 'permission denied for table task_labels',
  'B cannot move its own task label into A');

with d as (delete from public.task_labels where task_id = :'ta' returning 1)
select is(count(*), 0::bigint, 'B cannot remove labels from A''s task (0 rows)') from d;

-- Carol, a guest in A: reads, never writes.
select tests.authenticate_as(:'carol');

select set_eq(format('select label_id from public.task_labels where workspace_id = %L', :'ws_a'),
  array[:'la']::uuid[], 'a guest of A reads A''s task labels');

select throws_ok(
  format($$insert into public.task_labels (workspace_id, task_id, label_id) values (%L, %L, %L)$$, :'ws_a', :'ta', :'la2'),
  '42501', 'new row violates row-level security policy for table "task_labels"',
  'a guest cannot label A''s task');

with d as (delete from public.task_labels where task_id = :'ta' returning 1)
select is(count(*), 0::bigint, 'a guest cannot remove labels from A''s task (0 rows)') from d;

-- anon: no privilege at all.
select tests.authenticate_as_anon();

select throws_ok('select * from public.task_labels', '42501', 'permission denied for table task_labels',
  'anon cannot select task labels');
select throws_ok(
  format($$insert into public.task_labels (workspace_id, task_id, label_id) values (%L, %L, %L)$$, :'ws_a', :'ta', :'la2'),
  '42501', 'permission denied for table task_labels', 'anon cannot insert task labels');
select throws_ok('update public.task_labels set label_id = label_id', '42501', 'permission denied for table task_labels',
  'anon cannot update task labels');
select throws_ok('delete from public.task_labels', '42501', 'permission denied for table task_labels',
  'anon cannot delete task labels');

-- Back to Alice: the label on her task survived.
select tests.authenticate_as(:'alice');
select set_eq(format('select label_id from public.task_labels where task_id = %L', :'ta'),
  array[:'la']::uuid[], 'A''s task still carries its label after B, the guest and anon tried');

-- Labels go with their task: deleting the task detaches them.
with d as (delete from public.tasks where id = :'ta' returning 1)
select is(count(*), 1::bigint, 'A deletes a labelled task of A') from d;
select is((select count(*) from public.task_labels where task_id = :'ta'), 0::bigint,
  'deleting a task removes its labels (on delete cascade)');

select tests.clear_authentication();
select * from finish();
rollback;
