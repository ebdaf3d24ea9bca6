-- public.find_tasks: typo-tolerant search over the caller's live tasks, with highlights.
-- Runs as the caller, so RLS limits it to their workspaces (a guest reads, another
-- workspace's tasks never appear); anon may not execute it; the indexes exist and are used.
begin;
select plan(19);

select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset
select tests.create_user('carol') as carol \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.add_member(:'ws_a', :'carol', 'guest');
insert into public.tasks (workspace_id, title, notes) values
  (:'ws_a', 'Buy groceries', 'milk, eggs and bread'),
  (:'ws_a', 'Plan the garden party', ''),
  (:'ws_a', 'Call mom', 'ask about the party ' || chr(57344) || 'fake' || chr(57345) || ' marks');
insert into public.tasks (workspace_id, title, deleted_at) values (:'ws_a', 'Old groceries list', now());
insert into public.tasks (workspace_id, title) values (:'ws_b', 'Bob''s groceries');

select ok(
  not (select prosecdef from pg_proc where oid = 'public.find_tasks(text, integer)'::regprocedure),
  'find_tasks runs as the caller (security invoker)');
select is(
  (select provolatile from pg_proc where oid = 'public.find_tasks(text, integer)'::regprocedure), 's',
  'find_tasks is stable (callable with GET)');
select ok(
  has_function_privilege('authenticated', 'public.find_tasks(text, integer)', 'execute')
  and not has_function_privilege('anon', 'public.find_tasks(text, integer)', 'execute'),
  'authenticated may execute find_tasks, anon may not');
select has_index('public', 'tasks', 'tasks_fulltext_idx', 'a GIN index serves the full-text match');
select has_index('public', 'tasks', 'tasks_title_trgm_idx', 'a trigram GIN index serves the typo match');

select tests.authenticate_as(:'alice');
select set_eq($$select title from public.find_tasks('grocries')$$, array['Buy groceries'],
  'a typo ("grocries") finds "groceries"; not the trashed task, not B''s');
select set_eq($$select title from public.find_tasks('party')$$, array['Plan the garden party', 'Call mom'],
  'full-text matches title and notes');
select is(
  (select replace(replace(title_highlight, chr(57344), '['), chr(57345), ']') from public.find_tasks('grocries')),
  'Buy [groceries]', 'the typo match is highlighted in the title between U+E000 and U+E001');
select is(
  (select replace(replace(notes_highlight, chr(57344), '['), chr(57345), ']') from public.find_tasks('party')
   where title = 'Call mom'),
  'ask about the [party] fake marks',
  'notes are highlighted; delimiters already in the text are stripped first');
select ok(
  (select bool_and(rank > 0) from public.find_tasks('party')), 'every row has a positive rank');
select is(
  (select title from public.find_tasks('garden party') limit 1), 'Plan the garden party',
  'the best match comes first');
select is_empty($$select * from public.find_tasks('   ')$$, 'a blank query returns no rows');
select is_empty($$select * from public.find_tasks('')$$, 'an empty query returns no rows');
select is_empty($$select * from public.find_tasks(null)$$, 'a null query returns no rows');
select is((select count(*) from public.find_tasks('party', 1)), 1::bigint, 'max_results caps the rows');
select throws_ok($$select * from public.find_tasks(repeat('a', 201))$$, '22023', 'Search query is too long',
  'a query over 200 characters is refused with 22023');

select tests.authenticate_as(:'bob');
select set_eq($$select title from public.find_tasks('grocries')$$, array['Bob''s groceries'],
  'B finds only his own task');

select tests.authenticate_as(:'carol');
select is((select count(*) from public.find_tasks('party')), 2::bigint, 'a guest of A searches A''s tasks');

select tests.authenticate_as_anon();
select throws_ok($$select * from public.find_tasks('party')$$, '42501', null, 'anon may not search');

select * from finish();
rollback;
