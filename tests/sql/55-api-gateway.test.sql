-- The gateway's SQL: rate-limit buckets (GCRA) and Idempotency-Key records. Both tables are
-- private, RLS-forced with no policy, reachable only through security-definer functions that
-- anon and authenticated cannot execute.
begin;
select plan(44);

-- Closed to the API roles ---------------------------------------------------------------
select ok(
  (select relrowsecurity and relforcerowsecurity from pg_class where oid = 'private.rate_limits'::regclass),
  'rate_limits has RLS enabled and forced'
);
select ok(
  (select relrowsecurity and relforcerowsecurity from pg_class where oid = 'private.idempotency_keys'::regclass),
  'idempotency_keys has RLS enabled and forced'
);
select is(
  (select relpersistence from pg_class where oid = 'private.rate_limits'::regclass), 'u',
  'rate_limits is unlogged (counters are cheap to lose)'
);
select is_empty($$
  select r.rolname || ' ' || p.oid::regprocedure::text from pg_proc p
  cross join (values ('anon'), ('authenticated')) r(rolname)
  where p.pronamespace = 'private'::regnamespace
    and p.proname in ('rate_limit_take_many', 'rate_limits_purge', 'idempotency_begin', 'idempotency_finish',
                      'idempotency_release', 'idempotency_keys_purge')
    and has_function_privilege(r.rolname, p.oid, 'execute')
$$, 'anon and authenticated cannot execute the limiter or idempotency functions');
select is_empty($$
  select r.rolname || ' ' || t.tbl from (values ('anon'), ('authenticated'), ('service_role')) r(rolname)
  cross join (values ('private.rate_limits'), ('private.idempotency_keys')) t(tbl)
  where has_table_privilege(r.rolname, t.tbl, 'select,insert,update,delete')
$$, 'no API role holds a privilege on the tables');

select ok(
  has_function_privilege('service_role', 'private.rate_limit_take_many(text, integer, integer, integer)', 'execute')
  and has_function_privilege('service_role', 'private.idempotency_begin(text, text, text, text, bytea, interval, interval)', 'execute'),
  'service_role may call the functions (the only interface to the tables)'
);
select ok(
  (select prosecdef from pg_proc where oid = 'private.rate_limit_take_many(text, integer, integer, integer)'::regprocedure),
  'rate_limit_take_many is security definer (callers need no table privilege)'
);
select hasnt_function('private', 'rate_limit_take', 'the single-take wrapper is gone: one entry point to the buckets');

-- rate_limit_take_many, one unit at a time (a quiet bucket) -------------------------------
select results_eq(
  $$select granted = 1, remaining from private.rate_limit_take_many('t55:a', 3, 60, 1)$$,
  $$values (true, 2)$$, 'a fresh bucket allows and leaves limit - 1'
);
select results_eq(
  $$select granted = 1, remaining, retry_after from private.rate_limit_take_many('t55:a', 3, 60, 1)$$,
  $$values (true, 1, 0)$$, 'the second request leaves 1'
);
select results_eq(
  $$select granted = 1, remaining, retry_after from private.rate_limit_take_many('t55:a', 3, 60, 1)$$,
  $$values (true, 0, 0)$$, 'the third request empties the bucket'
);
select results_eq(
  $$select granted = 1, remaining from private.rate_limit_take_many('t55:a', 3, 60, 1)$$,
  $$values (false, 0)$$, 'the fourth is refused'
);
select ok(
  (select retry_after between 1 and 20 and reset_after between 55 and 60 from private.rate_limit_take_many('t55:a', 3, 60, 1)),
  'a refusal says when one request frees up (about window/limit) and when the bucket is full'
);
select ok(
  (select tat < now() + interval '61 seconds' from private.rate_limits where bucket = 't55:a'),
  'refused requests do not push the bucket further into the future'
);
select results_eq(
  $$select granted = 1, remaining from private.rate_limit_take_many('t55:b', 3, 60, 1)$$,
  $$values (true, 2)$$, 'another bucket is independent'
);
-- Time passing is simulated by moving tat back: one step (20 s) frees one request.
update private.rate_limits set tat = tat - interval '20 seconds' where bucket = 't55:a';
select results_eq(
  $$select granted = 1, remaining from private.rate_limit_take_many('t55:a', 3, 60, 1)$$,
  $$values (true, 0)$$, 'after window/limit seconds one more request is allowed'
);
select results_eq(
  $$select count(*)::int from generate_series(1, 7) g cross join lateral private.rate_limit_take_many('t55:seven', 7, 60, 1) r where r.granted = 1$$,
  $$values (7)$$, 'a limit that does not divide the window still allows exactly the limit'
);
-- Batched takes: up to n at once, first come first served.
select results_eq(
  $$select granted, remaining, retry_after from private.rate_limit_take_many('t55:many', 5, 60, 3)$$,
  $$values (3, 2, 0)$$, 'a batch of 3 from a fresh bucket of 5: all granted, 2 left'
);
select results_eq(
  $$select granted, remaining from private.rate_limit_take_many('t55:many', 5, 60, 4)$$,
  $$values (2, 0)$$, 'a batch of 4 with 2 left: the first 2 granted'
);
select ok(
  (select retry_after >= 1 from private.rate_limit_take_many('t55:many', 5, 60, 1)),
  'an empty bucket grants nothing and says when to retry'
);
select results_eq(
  $$select granted from private.rate_limit_take_many('t55:many2', 2, 60, 10)$$,
  $$values (2)$$, 'a batch larger than the limit is granted the limit'
);
select throws_ok(
  $$select * from private.rate_limit_take_many('t55:x', 5, 60, 0)$$, '22023', null, 'a batch of 0 is refused'
);
select throws_ok(
  $$select * from private.rate_limit_take_many('t55:x', 0, 60, 1)$$, '22023', null, 'a limit below 1 is refused'
);
select throws_ok(
  $$select * from private.rate_limit_take_many('t55:x', 5, 0, 1)$$, '22023', null, 'a window below 1 s is refused'
);
select throws_ok(
  $$select * from private.rate_limit_take_many(null, 5, 60, 1)$$, '22023', null, 'a bucket name is required'
);
update private.rate_limits set tat = now() - interval '1 second' where bucket = 't55:b';
select ok(private.rate_limits_purge() >= 1, 'purge deletes buckets that are full again');
select ok(
  not exists (select 1 from private.rate_limits where bucket = 't55:b')
  and exists (select 1 from private.rate_limits where bucket = 't55:a'),
  'purge keeps buckets still in use'
);

-- idempotency_begin / finish / release ------------------------------------------------------
create temp table claim on commit drop as
  select * from private.idempotency_begin('user:1', 'k1', 'POST', '/rest/v1/tasks', sha256('one'));
select is((select outcome from claim), 'started', 'a new key is claimed');
select results_eq(
  $$select outcome from private.idempotency_begin('user:1', 'k1', 'POST', '/rest/v1/tasks', sha256('one'))$$,
  $$values ('in_flight')$$, 'the same request while the first runs: in_flight'
);
select results_eq(
  $$select outcome from private.idempotency_begin('user:1', 'k1', 'POST', '/rest/v1/tasks', sha256('two'))$$,
  $$values ('mismatch')$$, 'a different request with the key: mismatch'
);
select results_eq(
  $$select outcome from private.idempotency_begin('user:2', 'k1', 'POST', '/rest/v1/tasks', sha256('two'))$$,
  $$values ('started')$$, 'another caller''s key of the same name is independent'
);
select results_eq(
  $$select outcome from private.idempotency_begin('user:1', 'k1', 'POST', '/rest/v1/projects', sha256('one'))$$,
  $$values ('started')$$, 'the same key on another path is independent'
);
select is(
  private.idempotency_finish('user:1', 'k1', 'POST', '/rest/v1/tasks', gen_random_uuid(), 201, '{}', 'x'),
  false, 'finishing with another attempt''s token changes nothing'
);
select is(
  private.idempotency_finish('user:1', 'k1', 'POST', '/rest/v1/tasks', (select lock_token from claim), 201,
    '{"content-type": "application/json", "location": "/tasks?id=eq.1"}', convert_to('[{"id":1}]', 'UTF8')),
  true, 'the holder stores its response'
);
select is(
  (select concat_ws(' ', outcome, response_status, response_headers ->> 'location', convert_from(response_body, 'UTF8'))
   from private.idempotency_begin('user:1', 'k1', 'POST', '/rest/v1/tasks', sha256('one'))),
  'replay 201 /tasks?id=eq.1 [{"id":1}]',
  'the same request again replays the stored status, headers and body'
);
select results_eq(
  $$select outcome from private.idempotency_begin('user:1', 'k1', 'POST', '/rest/v1/tasks', sha256('two'))$$,
  $$values ('mismatch')$$, 'a different request after completion: mismatch'
);
select is(
  private.idempotency_release('user:1', 'k1', 'POST', '/rest/v1/tasks', (select lock_token from claim)),
  false, 'a completed record cannot be released'
);

create temp table claim2 on commit drop as
  select * from private.idempotency_begin('user:1', 'k2', 'PATCH', '/rest/v1/tasks', sha256('p'));
select is(
  private.idempotency_release('user:1', 'k2', 'PATCH', '/rest/v1/tasks', (select lock_token from claim2)),
  true, 'the holder releases its key after a 5xx'
);
select results_eq(
  $$select outcome from private.idempotency_begin('user:1', 'k2', 'PATCH', '/rest/v1/tasks', sha256('p'))$$,
  $$values ('started')$$, 'a released key runs again'
);

-- An abandoned attempt (its gateway died) is taken over by the same request only.
update private.idempotency_keys set locked_at = now() - interval '10 minutes' where idempotency_key = 'k2';
select results_eq(
  $$select outcome from private.idempotency_begin('user:1', 'k2', 'PATCH', '/rest/v1/tasks', sha256('other'))$$,
  $$values ('mismatch')$$, 'an abandoned attempt is not taken over by a different request'
);
select results_eq(
  $$select outcome from private.idempotency_begin('user:1', 'k2', 'PATCH', '/rest/v1/tasks', sha256('p'))$$,
  $$values ('started')$$, 'an abandoned attempt is taken over by the same request'
);

-- Expiry: a record older than 24 hours no longer counts, and the purge deletes it.
update private.idempotency_keys set created_at = now() - interval '25 hours'
  where scope = 'user:1' and idempotency_key = 'k1' and request_path = '/rest/v1/tasks';
select results_eq(
  $$select outcome from private.idempotency_begin('user:1', 'k1', 'POST', '/rest/v1/tasks', sha256('two'))$$,
  $$values ('started')$$, 'an expired key is claimed afresh, even for a different request'
);
update private.idempotency_keys set created_at = now() - interval '25 hours' where scope = 'user:2';
select is(private.idempotency_keys_purge(), 1, 'purge deletes records older than 24 hours');
select throws_ok(
  $$select * from private.idempotency_begin('user:1', repeat('k', 256), 'POST', '/x', sha256('a'))$$,
  '23514', null, 'keys longer than 255 characters are refused by the table'
);

select * from finish();
rollback;
