-- Why: clients retry writes after a timeout without knowing whether the first attempt
-- happened. An Idempotency-Key header makes the retry safe (Stripe's semantics): the
-- first request with a key runs and its response is stored; a retry with the same key
-- and the same request replays that response instead of writing again; the same key with
-- a different request is refused (422); a retry while the first is still running is
-- refused (409). Keys live 24 hours.
--
-- A key is scoped by the caller (api key id, user id, or the client IP for anon), the
-- method and the path: two users, or two endpoints, never share a key.
--
-- Access: only through the functions below, on the gateway's owner connection. RLS is
-- enabled and forced with no policy (deny by default); nothing is granted to API roles.
-- Logged (not UNLOGGED like the rate limits): a stored response is a promise that a
-- write happened; losing it on a crash would let a retry write twice.

create table private.idempotency_keys (
  scope text not null check (char_length(scope) between 1 and 200),
  idempotency_key text not null check (idempotency_key ~ '^[\x21-\x7e]{1,255}$'),
  request_method text not null check (request_method in ('POST', 'PUT', 'PATCH', 'DELETE')),
  request_path text not null check (char_length(request_path) between 1 and 2048),
  -- sha256 over method, path, query, the headers that change a request's meaning, body
  fingerprint bytea not null check (octet_length(fingerprint) = 32),
  state text not null default 'in_flight' check (state in ('in_flight', 'done')),
  -- identifies the attempt holding the key, so a late finish after a takeover is ignored
  lock_token uuid not null,
  locked_at timestamptz not null default now(),
  response_status integer check (response_status between 100 and 599),
  response_headers jsonb,
  response_body bytea,
  created_at timestamptz not null default now(),
  primary key (scope, idempotency_key, request_method, request_path),
  check ((state = 'done') = (response_status is not null))
);
-- The purge scans by age.
create index idempotency_keys_created_at_idx on private.idempotency_keys (created_at);
alter table private.idempotency_keys enable row level security;
alter table private.idempotency_keys force row level security;
revoke all on private.idempotency_keys from public, anon, authenticated, service_role;
comment on table private.idempotency_keys is
  'Idempotency-Key records: one per (caller scope, key, method, path), with the stored response. Expire after 24 hours.';

-- Claims a key for one attempt. Outcomes:
--   started    this attempt holds the key (new key, an expired record, or an abandoned
--              in-flight attempt of the same request): run the request, then finish or release
--   replay     the request already ran: response_* hold its stored response
--   in_flight  the same key is being processed by another attempt (409)
--   mismatch   the key was used for a different request (422)
-- p_ttl: how long a record counts (24 hours); p_lock_timeout: after how long an in-flight
-- attempt counts as abandoned (its gateway died) and the same request may take over.
create function private.idempotency_begin(
  p_scope text,
  p_key text,
  p_method text,
  p_path text,
  p_fingerprint bytea,
  p_ttl interval default interval '24 hours',
  p_lock_timeout interval default interval '5 minutes'
)
  returns table (
    outcome text,
    lock_token uuid,
    response_status integer,
    response_headers jsonb,
    response_body bytea
  )
  language plpgsql volatile
  security definer
  set search_path = ''
as $$
declare
  v_now timestamptz := pg_catalog.clock_timestamp();
  v_token uuid := pg_catalog.gen_random_uuid();
  v_row private.idempotency_keys;
begin
  -- Two rounds at most: the existing record can be released (deleted) between the
  -- conflicting insert and the read; the second round then inserts.
  for i in 1 .. 3 loop
    insert into private.idempotency_keys as k
      (scope, idempotency_key, request_method, request_path, fingerprint, lock_token, locked_at, created_at)
    values (p_scope, p_key, p_method, p_path, p_fingerprint, v_token, v_now, v_now)
    on conflict (scope, idempotency_key, request_method, request_path) do update
      set fingerprint = excluded.fingerprint,
          state = 'in_flight',
          lock_token = excluded.lock_token,
          locked_at = excluded.locked_at,
          created_at = excluded.created_at,
          response_status = null,
          response_headers = null,
          response_body = null
      where k.created_at <= v_now - p_ttl
         or (k.state = 'in_flight' and k.locked_at <= v_now - p_lock_timeout and k.fingerprint = excluded.fingerprint)
    returning k.* into v_row;
    if found then
      return query select 'started'::text, v_token, null::integer, null::jsonb, null::bytea;
      return;
    end if;

    select k.* into v_row from private.idempotency_keys k
    where k.scope = p_scope and k.idempotency_key = p_key
      and k.request_method = p_method and k.request_path = p_path;
    if found then
      if v_row.fingerprint <> p_fingerprint then
        return query select 'mismatch'::text, null::uuid, null::integer, null::jsonb, null::bytea;
      elsif v_row.state = 'in_flight' then
        return query select 'in_flight'::text, null::uuid, null::integer, null::jsonb, null::bytea;
      else
        return query select 'replay'::text, null::uuid, v_row.response_status, v_row.response_headers, v_row.response_body;
      end if;
      return;
    end if;
  end loop;
  raise exception 'idempotency_begin: key % kept changing under concurrent requests', p_key
    using errcode = '40001';
end
$$;
comment on function private.idempotency_begin(text, text, text, text, bytea, interval, interval) is
  'Claims an Idempotency-Key for one attempt or reports replay / in_flight / mismatch; see the migration header.';

-- Stores the response of the attempt holding the key (matched by its lock token).
create function private.idempotency_finish(
  p_scope text,
  p_key text,
  p_method text,
  p_path text,
  p_lock_token uuid,
  p_status integer,
  p_headers jsonb,
  p_body bytea
) returns boolean
  language sql volatile
  security definer
  set search_path = ''
as $$
  with done as (
    update private.idempotency_keys k
    set state = 'done', response_status = p_status, response_headers = p_headers, response_body = p_body
    where k.scope = p_scope and k.idempotency_key = p_key and k.request_method = p_method
      and k.request_path = p_path and k.lock_token = p_lock_token and k.state = 'in_flight'
    returning 1
  )
  select exists (select 1 from done)
$$;
comment on function private.idempotency_finish(text, text, text, text, uuid, integer, jsonb, bytea) is
  'Stores the response for the attempt holding an Idempotency-Key; false when the attempt no longer holds it.';

-- Gives the key back without a stored response (the attempt failed with a 5xx and its
-- transaction rolled back): a retry with the same key runs again.
create function private.idempotency_release(p_scope text, p_key text, p_method text, p_path text, p_lock_token uuid)
  returns boolean
  language sql volatile
  security definer
  set search_path = ''
as $$
  with gone as (
    delete from private.idempotency_keys k
    where k.scope = p_scope and k.idempotency_key = p_key and k.request_method = p_method
      and k.request_path = p_path and k.lock_token = p_lock_token and k.state = 'in_flight'
    returning 1
  )
  select exists (select 1 from gone)
$$;
comment on function private.idempotency_release(text, text, text, text, uuid) is
  'Deletes the in-flight record held by this attempt so a retry with the same key runs again.';

-- Deletes records older than the TTL; the worker's api__purge_idempotency_keys cron task
-- calls it. Expired records are ignored by idempotency_begin even before they are purged.
create function private.idempotency_keys_purge(p_ttl interval default interval '24 hours') returns integer
  language sql volatile
  security definer
  set search_path = ''
as $$
  with gone as (
    delete from private.idempotency_keys where created_at <= pg_catalog.clock_timestamp() - p_ttl returning 1
  )
  select count(*)::integer from gone
$$;
comment on function private.idempotency_keys_purge(interval) is 'Deletes Idempotency-Key records older than the TTL.';

revoke execute on function private.idempotency_begin(text, text, text, text, bytea, interval, interval) from public;
revoke execute on function private.idempotency_finish(text, text, text, text, uuid, integer, jsonb, bytea) from public;
revoke execute on function private.idempotency_release(text, text, text, text, uuid) from public;
revoke execute on function private.idempotency_keys_purge(interval) from public;
grant execute on function private.idempotency_begin(text, text, text, text, bytea, interval, interval) to service_role;
grant execute on function private.idempotency_finish(text, text, text, text, uuid, integer, jsonb, bytea) to service_role;
grant execute on function private.idempotency_release(text, text, text, text, uuid) to service_role;
grant execute on function private.idempotency_keys_purge(interval) to service_role;
