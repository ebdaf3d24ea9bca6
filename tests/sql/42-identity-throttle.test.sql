-- Identity abuse protection counters (supabase/migrations/*_identity-auth-throttle.sql):
-- closed to the API roles, fixed windows over IP and account buckets in one call, and the
-- failure record behind the progressive delay and the lockout.
begin;
select plan(17);

-- Closed to the API roles ---------------------------------------------------------------
select ok(
  (select bool_and(relrowsecurity and relforcerowsecurity and relpersistence = 'u') from pg_class
    where oid in ('private.auth_rate_limits'::regclass, 'private.auth_failures'::regclass)),
  'both tables are unlogged with RLS enabled and forced'
);
select is_empty($$
  select r.rolname || ' ' || t.tbl from (values ('anon'), ('authenticated'), ('service_role')) r(rolname)
  cross join (values ('private.auth_rate_limits'), ('private.auth_failures')) t(tbl)
  where has_table_privilege(r.rolname, t.tbl, 'select,insert,update,delete')
$$, 'no API role holds a privilege on the tables');
select is_empty($$
  select r.rolname || ' ' || p.oid::regprocedure::text from pg_proc p
  cross join (values ('anon'), ('authenticated')) r(rolname)
  where p.pronamespace = 'private'::regnamespace
    and p.proname in ('auth_rate_limit_hit', 'auth_failure_state', 'auth_failure_record', 'auth_failure_clear',
                      'auth_throttle_purge')
    and has_function_privilege(r.rolname, p.oid, 'execute')
$$, 'anon and authenticated cannot execute the throttle functions');

-- Rate limits: every bucket of a request takes a hit in one call -----------------------
select is((select row(allowed, retry_after)::text from private.auth_rate_limit_hit(array['t:ip:a', 't:acct:x'], array[2, 3], 60)),
  '(t,0)', 'first hit allowed');
select is((select row(allowed, retry_after)::text from private.auth_rate_limit_hit(array['t:ip:a', 't:acct:x'], array[2, 3], 60)),
  '(t,0)', 'second hit allowed (IP at its limit of 2)');
select ok((select not allowed and retry_after between 1 and 60
             from private.auth_rate_limit_hit(array['t:ip:a', 't:acct:x'], array[2, 3], 60)),
  'third hit refused by the IP bucket with a retry-after inside the window');
select ok((select allowed from private.auth_rate_limit_hit(array['t:ip:b', 't:acct:x'], array[2, 3], 60)) is false,
  'another IP is refused once the account bucket (3) is spent: refused hits counted too');
select is((select hits from private.auth_rate_limits where bucket = 't:acct:x'), 4, 'the account bucket counted 4 hits');
update private.auth_rate_limits set window_start = now() - interval '61 seconds' where bucket like 't:%';
select is((select row(allowed, retry_after)::text from private.auth_rate_limit_hit(array['t:ip:a', 't:acct:x'], array[2, 3], 60)),
  '(t,0)', 'a new window starts once the old one is over');
select is((select row(allowed, retry_after)::text from private.auth_rate_limit_hit(array['t:ip:c'], array[0], 60)),
  '(t,0)', 'a limit of 0 means no limit (no bucket is written)');

-- Failures: delay state and one lockout -------------------------------------------------
select is((select failures from private.auth_failure_record('t:k', 900, 3, 900)), 1, 'first failure');
select is((select not_before is null from private.auth_failure_state('t:k', 900, 2, 30)), true,
  'no delay below the delay threshold');
select is((select failures from private.auth_failure_record('t:k', 900, 3, 900)), 2, 'second failure');
select ok((select not_before > now() and not_before <= now() + interval '2 seconds'
             from private.auth_failure_state('t:k', 900, 2, 30)),
  'from the threshold on, the next attempt must wait (2^0 s after the last failure)');
select is((select row(failures, locked_until is not null, newly_locked)::text
             from private.auth_failure_record('t:k', 900, 3, 900)),
  '(3,t,t)', 'the third failure locks, and says it is the one that did');
select is((select row(failures, locked_until is not null, newly_locked)::text
             from private.auth_failure_record('t:k', 900, 3, 900)),
  '(4,t,f)', 'further failures while locked do not start a second lockout');
select private.auth_failure_clear('t:k');
select is_empty($$ select * from private.auth_failure_state('t:k', 900, 2, 30) $$,
  'clearing (a successful sign-in or a password reset) forgets the failures and the lock');

select * from finish();
rollback;
