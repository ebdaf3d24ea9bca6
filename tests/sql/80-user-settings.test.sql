-- public.user_settings (the security-invoker view over account.user_settings): a person
-- reads and writes only their own row; upsert on user_id works through the view; the
-- checks refuse bad values; anon has nothing.
begin;
select plan(20);

select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset

select ok(
  (select coalesce('security_invoker=true' = any (reloptions), false) from pg_class
   where oid = 'public.user_settings'::regclass),
  'the view is security_invoker (RLS of the table decides)');
select ok(
  (select relrowsecurity and relforcerowsecurity from pg_class where oid = 'account.user_settings'::regclass),
  'account.user_settings has RLS enabled and forced');
select ok(not has_table_privilege('anon', 'public.user_settings', 'select'), 'anon cannot read the view');
select ok(not has_schema_privilege('anon', 'account', 'usage'), 'anon has no access to schema account');

select tests.authenticate_as(:'alice');
select is_empty($$select * from public.user_settings$$, 'no row until first saved');
with r as (insert into public.user_settings (time_zone, locale) values ('Europe/Berlin', 'de-DE') returning *)
select is(
  (select theme || ' ' || week_start || ' ' || coalesce(time_zone, '-') from r),
  'system 1 Europe/Berlin', 'A inserts her row; user_id defaults to her, theme and week start to the defaults');
select is((select user_id from public.user_settings), :'alice'::uuid, 'the row is A''s');
with r as (
  insert into public.user_settings (user_id, theme, week_start) values (:'alice', 'dark', 0)
  on conflict (user_id) do update set theme = excluded.theme, week_start = excluded.week_start
  returning *)
select is((select theme from r), 'dark', 'an upsert on user_id through the view updates her row');
select is((select locale || ' ' || week_start from public.user_settings), 'de-DE 0',
  'the upsert kept the other columns');
select is((select count(*) from account.user_settings), 1::bigint, 'still one row');
select throws_ok(
  format($$insert into public.user_settings (user_id, theme) values (%L, 'dark')$$, :'bob'),
  '42501', null, 'A cannot create a row for B');
select throws_ok($$update public.user_settings set user_id = gen_random_uuid()$$, '42501', null,
  'user_id cannot be changed');
select throws_ok($$update public.user_settings set time_zone = 'Mars/Olympus'$$, '23514', null,
  'an unknown time zone is refused');
select throws_ok($$update public.user_settings set locale = 'english please'$$, '23514', null,
  'a locale not shaped like BCP 47 is refused');
select throws_ok($$update public.user_settings set theme = 'neon'$$, '23514', null, 'an unknown theme is refused');
select throws_ok($$update public.user_settings set week_start = 7$$, '23514', null, 'week_start is 0..6');
select throws_ok($$delete from public.user_settings$$, '42501', null, 'rows are not deleted through the API');

select tests.authenticate_as(:'bob');
select is_empty($$select * from public.user_settings$$, 'B does not see A''s row');
with u as (update public.user_settings set theme = 'light' returning 1)
select is((select count(*) from u), 0::bigint,
  'B''s update touches nothing of A''s');

select tests.authenticate_as_anon();
select throws_ok($$select * from public.user_settings$$, '42501', null, 'anon may not read settings');

select * from finish();
rollback;
