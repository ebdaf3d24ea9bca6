-- Why: issue 5's webhook delivery log. One row per (endpoint, event): the consumer
-- events__webhooks creates it and enqueues its send job (webhook_deliveries__send) in one
-- transaction, so a delivery exists exactly when its job does, and running the consumer
-- twice creates one delivery (unique endpoint + event). The send task records each
-- attempt's outcome here (status, HTTP status, latency, the first KB of the response);
-- owners and admins read the log and redeliver with public.redeliver_webhook().
--
-- Attempts and backoff: the send job is ONE graphile-worker job per delivery, with
-- max_attempts = private.webhook_max_attempts() (18). The task sets its own next run_at
-- from its schedule (exponential with jitter over about three days, see docs/jobs.md);
-- when the schedule is used up the job stays behind with attempts = max_attempts and its
-- last error: a dead letter, replayable with graphile_worker.reschedule_jobs() or
-- redeliver_webhook().

create table public.webhook_deliveries (
  workspace_id uuid not null,
  id uuid not null default gen_random_uuid(),
  endpoint_id uuid not null,
  event_id uuid not null,
  event_type text not null
    constraint webhook_deliveries_event_type_format check (event_type ~ '^[a-z]+\.[a-z_]+$'),
  status text not null default 'pending'
    constraint webhook_deliveries_status_valid check (status in ('pending', 'retrying', 'succeeded', 'failed')),
  attempt integer not null default 0
    constraint webhook_deliveries_attempt_range check (attempt >= 0),
  response_status integer
    constraint webhook_deliveries_response_status_range check (response_status between 100 and 599),
  latency_ms integer
    constraint webhook_deliveries_latency_range check (latency_ms >= 0),
  response_snippet text
    constraint webhook_deliveries_snippet_length check (octet_length(response_snippet) <= 1024),
  last_error text
    constraint webhook_deliveries_last_error_length check (char_length(last_error) <= 1000),
  first_attempted_at timestamptz,
  last_attempted_at timestamptz,
  next_attempt_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id),
  constraint webhook_deliveries_endpoint_event_unique unique (workspace_id, endpoint_id, event_id),
  foreign key (workspace_id, endpoint_id) references public.webhook_endpoints (workspace_id, id) on delete cascade
);
comment on table public.webhook_deliveries is
  'One delivery of one event to one webhook endpoint, with the outcome of its latest attempt. Visible to workspace owners and admins; redeliver with redeliver_webhook().';
comment on column public.webhook_deliveries.event_id is 'The event delivered (public.events.id); the `id` field of the request body.';
comment on column public.webhook_deliveries.status is
  'pending (queued), retrying (last attempt failed, another is scheduled), succeeded (2xx within 10 s), failed (retries used up, or the endpoint was disabled).';
comment on column public.webhook_deliveries.attempt is 'How many HTTP attempts were made so far.';
comment on column public.webhook_deliveries.response_status is 'HTTP status of the latest attempt (null: no response, e.g. timeout or refused).';
comment on column public.webhook_deliveries.latency_ms is 'Milliseconds from sending the request to the end of the response of the latest attempt.';
comment on column public.webhook_deliveries.response_snippet is 'The first 1 KB of the latest response body.';
comment on column public.webhook_deliveries.last_error is 'Why the latest attempt failed.';
comment on column public.webhook_deliveries.next_attempt_at is 'When the next attempt is scheduled (null when none is).';
comment on column public.webhook_deliveries.delivered_at is 'When an attempt succeeded.';

create index webhook_deliveries_workspace_created_idx on public.webhook_deliveries (workspace_id, created_at desc);
-- The nightly purge of finished deliveries (webhook_deliveries__purge) reads by age alone.
create index webhook_deliveries_created_idx on public.webhook_deliveries (created_at);

create trigger _100_timestamps before insert or update on public.webhook_deliveries
  for each row execute function private.tg__timestamps();

-- The attempts of one send job: the length of the retry schedule in workers/src/webhooks/schedule.ts.
create function private.webhook_max_attempts() returns integer
  language sql immutable
  set search_path = ''
as $$ select 18 $$;

-- (Re)queues the send job of a delivery. One job per delivery (its job key): adding it
-- again while it waits replaces it, with a fresh set of attempts.
create function private.enqueue_webhook_send(p_workspace_id uuid, p_delivery_id uuid) returns void
  language sql volatile security definer
  set search_path = ''
as $$
  select graphile_worker.add_job(
    'webhook_deliveries__send',
    json_build_object('workspace_id', p_workspace_id, 'delivery_id', p_delivery_id),
    job_key => 'webhook_deliveries__send:' || p_delivery_id,
    job_key_mode => 'replace',
    max_attempts => private.webhook_max_attempts()
  )
$$;
revoke execute on function private.enqueue_webhook_send(uuid, uuid) from public;

-- The fan-out of one event (events__webhooks): a delivery and its send job for each
-- enabled endpoint of the workspace subscribed to the event's type. Idempotent: a
-- delivery that exists already is neither created nor queued again. Returns how many
-- deliveries were created.
create function private.enqueue_webhook_deliveries(p_workspace_id uuid, p_event_id uuid, p_event_type text)
  returns integer
  language plpgsql volatile security definer
  set search_path = ''
as $$
declare
  v_delivery record;
  v_count integer := 0;
begin
  for v_delivery in
    insert into public.webhook_deliveries (workspace_id, endpoint_id, event_id, event_type)
    select e.workspace_id, e.id, p_event_id, p_event_type
    from public.webhook_endpoints e
    where e.workspace_id = p_workspace_id and e.enabled
      and (p_event_type = any (e.event_types) or split_part(p_event_type, '.', 1) || '.*' = any (e.event_types))
    order by e.id
    on conflict (workspace_id, endpoint_id, event_id) do nothing
    returning workspace_id, id
  loop
    perform private.enqueue_webhook_send(v_delivery.workspace_id, v_delivery.id);
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;
revoke execute on function private.enqueue_webhook_deliveries(uuid, uuid, text) from public;

-- Disables an endpoint that kept failing and notifies the workspace's owners (in-app and
-- email, per their preferences). Called by the send task when a delivery used up its
-- schedule while the endpoint never succeeded in between. Idempotent: an endpoint already
-- disabled is left alone. Returns whether it disabled the endpoint.
create function private.disable_failing_webhook_endpoint(p_workspace_id uuid, p_endpoint_id uuid, p_reason text)
  returns boolean
  language plpgsql volatile security definer
  set search_path = ''
as $$
declare
  v_endpoint record;
  v_owner uuid;
  v_target text;
begin
  update public.webhook_endpoints e set enabled = false, disabled_reason = p_reason
  where e.workspace_id = p_workspace_id and e.id = p_endpoint_id and e.enabled
  returning e.id, e.url, e.disabled_at, e.failing_since into v_endpoint;
  if v_endpoint.id is null then
    return false;
  end if;
  -- Scheme, host and path only: a query string may carry the receiver's token, and this
  -- text goes out by email.
  v_target := split_part(split_part(v_endpoint.url, '?', 1), '#', 1);
  for v_owner in
    select m.user_id from public.workspace_members m
    where m.workspace_id = p_workspace_id and m.role = 'owner'
  loop
    perform private.notify(
      v_owner, 'webhook_disabled',
      'webhook_disabled:' || p_endpoint_id || ':' || extract(epoch from v_endpoint.disabled_at)::bigint,
      'A webhook endpoint was disabled',
      left('Deliveries to ' || v_target || ' failed continuously since '
           || to_char(v_endpoint.failing_since at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC, so the endpoint was disabled. '
           || 'Fix the receiver, enable the endpoint again and redeliver what it missed.', 2000),
      '/app/settings/webhooks', p_workspace_id, p_endpoint_id,
      jsonb_build_object('endpoint_url', v_target, 'reason', p_reason));
  end loop;
  return true;
end
$$;
revoke execute on function private.disable_failing_webhook_endpoint(uuid, uuid, text) from public;

-- Manual redelivery (owners and admins): the delivery is queued again with a fresh
-- schedule, whatever its status (first_attempted_at restarts with it: it dates the
-- schedule whose exhaustion may disable the endpoint). The endpoint must be enabled.
create function public.redeliver_webhook(delivery_id uuid) returns public.webhook_deliveries
  language plpgsql volatile security definer
  set search_path = ''
as $$
#variable_conflict use_variable
declare
  v_delivery public.webhook_deliveries;
  v_enabled boolean;
begin
  select d.* into v_delivery from public.webhook_deliveries d
  where d.id = delivery_id and d.workspace_id in (select private.my_admin_workspace_ids());
  if v_delivery.id is null then
    raise exception 'No webhook delivery with this id.' using errcode = 'PT404';
  end if;
  perform private.require_webhook_admin(v_delivery.workspace_id);
  select e.enabled into v_enabled from public.webhook_endpoints e
  where e.workspace_id = v_delivery.workspace_id and e.id = v_delivery.endpoint_id;
  if not v_enabled then
    raise exception 'This endpoint is disabled: enable it before redelivering.' using errcode = '22023';
  end if;
  update public.webhook_deliveries d
  set status = 'pending', next_attempt_at = now(), last_error = null, first_attempted_at = null
  where d.workspace_id = v_delivery.workspace_id and d.id = v_delivery.id
  returning d.* into v_delivery;
  perform private.enqueue_webhook_send(v_delivery.workspace_id, v_delivery.id);
  return v_delivery;
end
$$;
comment on function public.redeliver_webhook(uuid) is
  'Queues a webhook delivery again (owners and admins), with a fresh retry schedule. The endpoint must be enabled.';
revoke execute on function public.redeliver_webhook(uuid) from public;
grant execute on function public.redeliver_webhook(uuid) to authenticated;
