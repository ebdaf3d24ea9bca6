-- Why: the data APIs limit requests per API key, per user and per client IP, and the
-- limit must hold across every gateway process, so the counters live in Postgres. Each
-- request costs one statement: private.rate_limit_take() updates its bucket atomically
-- (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) and answers allow/deny plus the
-- numbers the RateLimit headers need.
--
-- Algorithm: GCRA (generic cell rate algorithm, the token bucket written as one
-- timestamp). A bucket stores its "theoretical arrival time" (tat). With a limit of L
-- requests per window W, each request advances tat by W/L; a request is allowed while
-- tat, after the advance, is at most W ahead of now. That allows a burst of L and then
-- L per W, smoothly: no fixed-window edge where 2L requests pass in a moment, and no
-- per-request row as a sliding log would need. One row per bucket, updated in place.
--
-- UNLOGGED: the counters are rewritten on every API request; skipping WAL removes most
-- of that write's cost. What is given up is acceptable for counters: after a crash the
-- table is empty (every client briefly gets a full quota again), and the rows are not
-- replicated, so a promoted standby also starts empty. Nothing else depends on them.
--
-- Access: only through the function, on the gateway's owner connection. RLS is enabled
-- and forced with no policy at all (deny by default): a grant added by mistake would
-- still expose nothing. Execute is granted to service_role only, never anon/authenticated.

create unlogged table private.rate_limits (
  bucket text primary key check (char_length(bucket) between 1 and 200),
  -- theoretical arrival time: the bucket is full again once now() passes it
  tat timestamptz not null,
  -- whether the last take was allowed (RETURNING cannot see the old row in PG 15)
  allowed boolean not null default true
);
alter table private.rate_limits enable row level security;
alter table private.rate_limits force row level security;
revoke all on private.rate_limits from public, anon, authenticated, service_role;
comment on table private.rate_limits is
  'API rate-limit buckets (GCRA). Unlogged: counters are cheap to lose. Written only by private.rate_limit_take().';

-- Takes one request from a bucket. Returns:
--   allowed      the request may proceed
--   remaining    requests still available right now (RateLimit r=)
--   reset_after  seconds until the bucket is full again (RateLimit t=)
--   retry_after  seconds until one more request is allowed; 0 when allowed (Retry-After)
create function private.rate_limit_take(p_bucket text, p_limit integer, p_window_seconds integer)
  returns table (allowed boolean, remaining integer, reset_after integer, retry_after integer)
  language plpgsql volatile
  security definer
  set search_path = ''
as $$
declare
  v_now timestamptz := pg_catalog.clock_timestamp();
  v_window interval;
  v_step interval;
  v_tat timestamptz;
  v_allowed boolean;
begin
  if p_bucket is null or p_limit is null or p_limit < 1 or p_window_seconds is null or p_window_seconds < 1
     or p_limit::bigint > p_window_seconds::bigint * 1000000 then
    raise exception 'rate_limit_take: bucket, 1 <= limit <= 1,000,000 per second of window, window >= 1 are required'
      using errcode = '22023';
  end if;
  v_window := pg_catalog.make_interval(secs => p_window_seconds);
  -- Rounded down to whole microseconds (interval resolution): rounding up would make
  -- L steps exceed the window and refuse the L-th request of a fresh bucket.
  v_step := pg_catalog.make_interval(secs => pg_catalog.floor(p_window_seconds * 1000000.0 / p_limit) / 1000000.0);

  insert into private.rate_limits as b (bucket, tat, allowed)
  values (p_bucket, v_now + v_step, true)
  on conflict (bucket) do update
    set allowed = greatest(b.tat, v_now) + v_step - v_now <= v_window,
        tat = case
          when greatest(b.tat, v_now) + v_step - v_now <= v_window
            then greatest(b.tat, v_now) + v_step
          else b.tat
        end
  returning b.tat, b.allowed into v_tat, v_allowed;

  allowed := v_allowed;
  -- Free slots: how many more steps fit before tat would run more than a window ahead.
  remaining := greatest(
    0,
    pg_catalog.floor(extract(epoch from (v_window - (v_tat - v_now))) / extract(epoch from v_step))::integer
  );
  reset_after := greatest(0, pg_catalog.ceil(extract(epoch from (v_tat - v_now)))::integer);
  retry_after := case
    when v_allowed then 0
    else greatest(1, pg_catalog.ceil(extract(epoch from (v_tat + v_step - v_window - v_now)))::integer)
  end;
  return next;
end
$$;
comment on function private.rate_limit_take(text, integer, integer) is
  'Takes one request from a GCRA bucket (limit per window seconds) in one statement; see the migration header.';
revoke execute on function private.rate_limit_take(text, integer, integer) from public;
grant execute on function private.rate_limit_take(text, integer, integer) to service_role;

-- Buckets whose tat has passed are full again: their rows carry no information. The
-- worker's api__purge_rate_limits cron task calls this.
create function private.rate_limits_purge() returns integer
  language sql volatile
  security definer
  set search_path = ''
as $$
  with gone as (
    delete from private.rate_limits where tat < pg_catalog.clock_timestamp() returning 1
  )
  select count(*)::integer from gone
$$;
comment on function private.rate_limits_purge() is 'Deletes rate-limit buckets that are full again; returns how many.';
revoke execute on function private.rate_limits_purge() from public;
grant execute on function private.rate_limits_purge() to service_role;
