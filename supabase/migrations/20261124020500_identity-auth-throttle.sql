-- Why: abuse protection of the identity endpoints (sign-in, sign-up, password reset,
-- magic link, verification resend, MFA and passkey verification) needs counters that hold
-- across every gateway and app process, so they live in Postgres (docs/adr: limits and
-- lockout). Two tables, each touched by one statement per check:
--
-- private.auth_rate_limits: fixed-window counters, one row per bucket
--   ("<action>:ip:<address>", "<action>:acct:<sha256 of the email>"). A window of W seconds
--   starts at the first hit; the hit that finds the window over starts a new one. One
--   upsert takes a hit from every bucket of a request (IP and account) at once and says
--   whether all allowed it and, if not, when to retry. A fixed window can let 2L through
--   around a window edge; for limits meant to stop guessing at scale (tens per quarter
--   hour) that is acceptable, and the row stays one integer and one timestamp.
--
-- private.auth_failures: failed sign-ins per account key (a hash of the submitted email,
--   known account or not, so delays and lockouts look the same for unknown emails: no
--   enumeration; no plain email of a stranger is stored). It drives the progressive delay
--   (from the Nth failure the next attempt must wait 2^(n-N) s, capped) and the lockout
--   (M failures inside the window lock the key for a while).
--
-- UNLOGGED like private.rate_limits: after a crash the counters start empty, which only
-- gives attackers one fresh window. RLS forced with no policy: only the security definer
-- functions below, called with the service connection, read or write them.

create unlogged table private.auth_rate_limits (
  bucket text primary key check (char_length(bucket) between 1 and 200),
  window_start timestamptz not null,
  hits integer not null default 0
);
alter table private.auth_rate_limits enable row level security;
alter table private.auth_rate_limits force row level security;
revoke all on private.auth_rate_limits from public, anon, authenticated, service_role;
comment on table private.auth_rate_limits is
  'Fixed-window counters of the identity endpoints (per IP, per account). Written only by private.auth_rate_limit_hit().';

-- Takes one hit from each bucket (all share the window; limits pairwise with buckets).
-- allowed: every bucket was within its limit; retry_after: seconds until the most
-- exhausted bucket's window ends (0 when allowed). Refused hits are counted too, so a
-- client hammering a closed bucket does not get a fresh one sooner.
create function private.auth_rate_limit_hit(p_buckets text[], p_limits integer[], p_window_seconds integer)
  returns table (allowed boolean, retry_after integer)
  language sql volatile
  security definer
  set search_path = ''
as $$
  with input as (
    select b.bucket, b.lim
    from unnest(p_buckets, p_limits) as b(bucket, lim)
    where b.bucket is not null and b.lim > 0 and p_window_seconds > 0
  ),
  hit as (
    insert into private.auth_rate_limits as r (bucket, window_start, hits)
    select i.bucket, pg_catalog.clock_timestamp(), 1 from input i
    on conflict (bucket) do update
      set window_start = case
            when r.window_start + pg_catalog.make_interval(secs => p_window_seconds) <= pg_catalog.clock_timestamp()
              then pg_catalog.clock_timestamp() else r.window_start end,
          hits = case
            when r.window_start + pg_catalog.make_interval(secs => p_window_seconds) <= pg_catalog.clock_timestamp()
              then 1 else least(r.hits + 1, 1000000000) end
    returning r.bucket, r.window_start, r.hits
  )
  select coalesce(bool_and(h.hits <= i.lim), true),
         coalesce(max(case when h.hits > i.lim then greatest(1, pg_catalog.ceil(extract(epoch from
           (h.window_start + pg_catalog.make_interval(secs => p_window_seconds) - pg_catalog.clock_timestamp())))::integer)
           end), 0)
  from hit h join input i using (bucket)
$$;
comment on function private.auth_rate_limit_hit(text[], integer[], integer) is
  'Takes one hit from each fixed-window bucket in one statement; allowed unless any bucket is over its limit.';
revoke execute on function private.auth_rate_limit_hit(text[], integer[], integer) from public;
grant execute on function private.auth_rate_limit_hit(text[], integer[], integer) to service_role;

create unlogged table private.auth_failures (
  account_key text primary key check (char_length(account_key) between 1 and 100),
  failures integer not null default 0,
  first_failure_at timestamptz not null,
  last_failure_at timestamptz not null,
  locked_until timestamptz
);
alter table private.auth_failures enable row level security;
alter table private.auth_failures force row level security;
revoke all on private.auth_failures from public, anon, authenticated, service_role;
comment on table private.auth_failures is
  'Failed sign-ins per account key (hash of the email): progressive delay and lockout. Written only by private.auth_failure_*().';

-- The state a sign-in attempt must respect: locked_until (null when not locked) and
-- not_before (the progressive delay: no attempt before it). Failures older than the
-- window no longer count.
create function private.auth_failure_state(
  p_key text, p_window_seconds integer, p_delay_after integer, p_delay_max_seconds integer
) returns table (failures integer, locked_until timestamptz, not_before timestamptz)
  language sql stable
  security definer
  set search_path = ''
as $$
  select f.failures,
         case when f.locked_until > pg_catalog.clock_timestamp() then f.locked_until end,
         case when f.failures >= p_delay_after then
           f.last_failure_at + pg_catalog.make_interval(secs =>
             least(p_delay_max_seconds::double precision, pg_catalog.power(2, least(f.failures - p_delay_after, 30))))
         end
  from private.auth_failures f
  where f.account_key = p_key
    and (f.first_failure_at + pg_catalog.make_interval(secs => p_window_seconds) > pg_catalog.clock_timestamp()
         or f.locked_until > pg_catalog.clock_timestamp())
$$;
revoke execute on function private.auth_failure_state(text, integer, integer, integer) from public;
grant execute on function private.auth_failure_state(text, integer, integer, integer) to service_role;

-- Records one failure. newly_locked is true only for the failure that starts a lockout
-- (so exactly one email goes to the owner per lockout).
create function private.auth_failure_record(
  p_key text, p_window_seconds integer, p_threshold integer, p_lockout_seconds integer
) returns table (failures integer, locked_until timestamptz, newly_locked boolean)
  language sql volatile
  security definer
  set search_path = ''
as $$
  with before as (
    select f.locked_until as old_locked from private.auth_failures f where f.account_key = p_key
  ),
  up as (
    insert into private.auth_failures as f (account_key, failures, first_failure_at, last_failure_at, locked_until)
    values (p_key, 1, pg_catalog.clock_timestamp(), pg_catalog.clock_timestamp(),
            case when p_threshold <= 1 then pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => p_lockout_seconds) end)
    on conflict (account_key) do update
      set failures = case
            when f.first_failure_at + pg_catalog.make_interval(secs => p_window_seconds) <= pg_catalog.clock_timestamp()
                 and coalesce(f.locked_until <= pg_catalog.clock_timestamp(), true)
              then 1 else least(f.failures + 1, 1000000000) end,
          first_failure_at = case
            when f.first_failure_at + pg_catalog.make_interval(secs => p_window_seconds) <= pg_catalog.clock_timestamp()
                 and coalesce(f.locked_until <= pg_catalog.clock_timestamp(), true)
              then pg_catalog.clock_timestamp() else f.first_failure_at end,
          last_failure_at = pg_catalog.clock_timestamp(),
          locked_until = case
            when f.locked_until > pg_catalog.clock_timestamp() then f.locked_until
            when (case
                    when f.first_failure_at + pg_catalog.make_interval(secs => p_window_seconds) <= pg_catalog.clock_timestamp()
                      then 1 else f.failures + 1 end) >= p_threshold
              then pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => p_lockout_seconds)
            else f.locked_until end
    returning f.failures, f.locked_until
  )
  select up.failures,
         case when up.locked_until > pg_catalog.clock_timestamp() then up.locked_until end,
         up.locked_until > pg_catalog.clock_timestamp()
           and coalesce((select b.old_locked from before b) is distinct from up.locked_until, true)
  from up
$$;
revoke execute on function private.auth_failure_record(text, integer, integer, integer) from public;
grant execute on function private.auth_failure_record(text, integer, integer, integer) to service_role;

-- A successful sign-in or password reset clears the key's failures (and any lockout).
create function private.auth_failure_clear(p_key text) returns void
  language sql volatile
  security definer
  set search_path = ''
as $$
  delete from private.auth_failures where account_key = p_key
$$;
revoke execute on function private.auth_failure_clear(text) from public;
grant execute on function private.auth_failure_clear(text) to service_role;

-- Rows whose window and lockout are over carry no information; the worker's purge of
-- rate-limit buckets calls this too.
create function private.auth_throttle_purge(p_max_age_seconds integer default 86400) returns integer
  language sql volatile
  security definer
  set search_path = ''
as $$
  with a as (
    delete from private.auth_rate_limits
    where window_start < pg_catalog.clock_timestamp() - pg_catalog.make_interval(secs => p_max_age_seconds)
    returning 1
  ), b as (
    delete from private.auth_failures
    where last_failure_at < pg_catalog.clock_timestamp() - pg_catalog.make_interval(secs => p_max_age_seconds)
      and coalesce(locked_until < pg_catalog.clock_timestamp(), true)
    returning 1
  )
  select ((select count(*) from a) + (select count(*) from b))::integer
$$;
revoke execute on function private.auth_throttle_purge(integer) from public;
grant execute on function private.auth_throttle_purge(integer) to service_role;
