-- telemetry.web_vitals and telemetry.client_errors: monthly partitions managed by
-- pg_partman (a row of this month lands in this month's partition, not the default), and
-- only the service role writes: anon and authenticated have nothing.
begin;
select plan(12);

select ok(exists (select 1 from partman.part_config where parent_table = 'telemetry.web_vitals'
  and partition_interval = '1 mon' and partition_type = 'native'), 'web_vitals is managed monthly by pg_partman');
select ok(exists (select 1 from partman.part_config where parent_table = 'telemetry.client_errors'
  and partition_interval = '1 mon'), 'client_errors is managed monthly by pg_partman');
select is((select retention from partman.part_config where parent_table = 'telemetry.web_vitals'), '13 months',
  'telemetry is kept 13 months');

select ok(not has_schema_privilege('anon', 'telemetry', 'usage')
  and not has_schema_privilege('authenticated', 'telemetry', 'usage'),
  'anon and authenticated cannot even reach schema telemetry');
select ok(not has_table_privilege('authenticated', 'telemetry.web_vitals', 'insert')
  and not has_table_privilege('anon', 'telemetry.client_errors', 'insert'), 'no insert grants to callers');

set local role service_role;
insert into telemetry.web_vitals (name, value, rating, route, navigation_type, app_version)
  values ('LCP', 1234.5, 'good', '/app', 'navigate', 'pgtap-80');
insert into telemetry.client_errors (message, stack, route, user_agent, app_version)
  values ('TypeError: x is undefined', 'at f (app.js:1:1)', '/app', 'Chromium', 'pgtap-80');
reset role;
select is(
  (select tableoid::regclass::text from telemetry.web_vitals where app_version = 'pgtap-80'),
  'telemetry.web_vitals_p' || to_char(now(), 'YYYY_MM'),
  'a vital of this month lands in this month''s partition');
select is(
  (select tableoid::regclass::text from telemetry.client_errors where app_version = 'pgtap-80'),
  'telemetry.client_errors_p' || to_char(now(), 'YYYY_MM'),
  'an error of this month lands in this month''s partition');
select ok(
  to_regclass('telemetry.web_vitals_p' || to_char(now() + interval '1 month', 'YYYY_MM')) is not null,
  'next month''s partition already exists');

select throws_ok($$insert into telemetry.web_vitals (name, value) values ('FID', 1)$$, '23514', null,
  'an unknown vital is refused');
select throws_ok($$insert into telemetry.client_errors (message, stack) values ('x', repeat('s', 16001))$$,
  '23514', null, 'a stack over 16000 characters is refused');

select tests.authenticate_as(tests.create_user('carol'));
select throws_ok($$insert into telemetry.web_vitals (name, value) values ('LCP', 1)$$, '42501', null,
  'an authenticated caller cannot write telemetry');
select tests.authenticate_as_anon();
select throws_ok($$insert into telemetry.client_errors (message) values ('x')$$, '42501', null,
  'anon cannot write telemetry');

select * from finish();
rollback;
