-- support.bug_reports: insert-only for the people sending them. A signed-in reporter's
-- row carries their id and cannot carry anyone else's; a signed-out one's carries none;
-- nobody reads reports through a caller's role; the checks cap every field.
begin;
select plan(16);

select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset

select ok(
  (select relrowsecurity and relforcerowsecurity from pg_class where oid = 'support.bug_reports'::regclass),
  'support.bug_reports has RLS enabled and forced');
select ok(not has_table_privilege('anon', 'support.bug_reports', 'select')
  and not has_table_privilege('authenticated', 'support.bug_reports', 'select'),
  'neither anon nor authenticated may read reports');
select ok(not has_column_privilege('authenticated', 'support.bug_reports', 'user_id', 'insert'),
  'user_id cannot be chosen by the reporter');

select tests.authenticate_as(:'alice');
select gen_random_uuid() as r1 \gset
select lives_ok(
  format($$insert into support.bug_reports (id, description, route, client_errors) values (%L, 'The list is empty', '/app', '[{"message":"x"}]')$$, :'r1'),
  'A files a report');
select throws_ok($$select * from support.bug_reports$$, '42501', null, 'A cannot read reports, even her own');
select throws_ok($$update support.bug_reports set description = 'x'$$, '42501', null, 'A cannot edit reports');
select throws_ok($$delete from support.bug_reports$$, '42501', null, 'A cannot delete reports');
select throws_ok($$insert into support.bug_reports (description) values ('   ')$$, '23514', null,
  'a blank description is refused');
select throws_ok(format($$insert into support.bug_reports (description) values (%L)$$, repeat('x', 5001)),
  '23514', null, 'a description over 5000 characters is refused');
select throws_ok($$insert into support.bug_reports (description, client_errors) values ('x', '{"a":1}')$$,
  '23514', null, 'client_errors must be an array');
select throws_ok($$insert into support.bug_reports (description, screenshot) values ('x', 'data:image/svg+xml;base64,PHN2Zz4=')$$,
  '23514', null, 'only PNG or JPEG data URLs are accepted as screenshots');
select lives_ok($$insert into support.bug_reports (description, screenshot) values ('x', 'data:image/png;base64,iVBORw0KGgo=')$$,
  'a PNG data URL is accepted');

select tests.authenticate_as_anon();
select lives_ok($$insert into support.bug_reports (description, user_agent) values ('pgtap-80 sign-up page is blank', 'Firefox')$$,
  'a signed-out person files a report');
select throws_ok($$select * from support.bug_reports$$, '42501', null, 'anon cannot read reports');

select tests.clear_authentication();
select is((select user_id from support.bug_reports where id = :'r1'), :'alice'::uuid,
  'A''s report carries her id');
select is((select count(*) from support.bug_reports where user_id is null and description like 'pgtap-80 %'), 1::bigint,
  'the signed-out report carries no user');

select * from finish();
rollback;
