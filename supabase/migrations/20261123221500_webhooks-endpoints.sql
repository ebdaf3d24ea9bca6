-- Why: issue 5's outgoing webhooks. Workspace owners and admins register HTTPS endpoints
-- that receive the workspace's domain events (exact types such as task.completed, or
-- "<entity>.*"), signed with a per-endpoint secret.
--
-- * public.webhook_endpoints: visible to the workspace's owners and admins only (an
--   endpoint's URL can itself be a credential). Created only by
--   public.create_webhook_endpoint(), which validates the URL; owners/admins may change
--   description, event types and enabled, and delete endpoints, under RLS.
-- * private.webhook_endpoint_secrets: the signing secret. The worker needs it in plain
--   text to compute HMAC-SHA256 signatures, so it cannot be stored as a hash (unlike API
--   keys); it lives in the private schema, never granted to API roles, and leaves the
--   database through the APIs only in the answer of create_webhook_endpoint() and
--   rotate_webhook_secret(), once.
-- * URL policy (server-side request forgery): HTTPS only, and no loopback, private,
--   link-local, carrier-grade-NAT, multicast or reserved address literals, nor localhost
--   names, unless private.webhook_policy allows insecure targets (development only:
--   scripts/db.ts turns it on when NODE_ENV=development). The worker checks again after
--   resolving the name, on the address it connects to (DNS rebinding).

create table private.webhook_policy (
  id boolean primary key default true
    constraint webhook_policy_single_row check (id),
  allow_insecure_targets boolean not null default false
);
comment on table private.webhook_policy is
  'One row: whether webhook URLs may be http:// or point at private/loopback addresses (development only).';
insert into private.webhook_policy (id, allow_insecure_targets) values (true, false);

create table public.webhook_endpoints (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  url text not null
    constraint webhook_endpoints_url_format check (char_length(url) <= 2000 and url ~ '^https?://[^[:space:]]+$'),
  event_types text[] not null
    constraint webhook_endpoints_event_types_format check (
      cardinality(event_types) between 1 and 30
      and array_to_string(event_types, ' ') ~ '^[a-z]+\.([a-z_]+|\*)( [a-z]+\.([a-z_]+|\*))*$'
      and array_position(event_types, null) is null
    ),
  description text not null default ''
    constraint webhook_endpoints_description_length check (char_length(description) <= 500),
  enabled boolean not null default true,
  disabled_at timestamptz,
  disabled_reason text
    constraint webhook_endpoints_disabled_reason_length check (char_length(disabled_reason) <= 500),
  failing_since timestamptz,
  created_by uuid references identity.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id)
);
comment on table public.webhook_endpoints is
  'URLs that receive the workspace''s events as signed POST requests (docs/webhooks.md). Visible to workspace owners and admins only; create with create_webhook_endpoint().';
comment on column public.webhook_endpoints.url is 'Where deliveries are POSTed. HTTPS, public addresses only.';
comment on column public.webhook_endpoints.event_types is
  'Event types delivered: exact (task.completed) or every type of an entity (task.*, project.*, member.*).';
comment on column public.webhook_endpoints.description is 'What the endpoint is for.';
comment on column public.webhook_endpoints.enabled is
  'Deliveries are made only while enabled. Set false to pause; setting it true again clears disabled_at and failing_since.';
comment on column public.webhook_endpoints.disabled_at is 'When the endpoint was disabled (by a person or after failing for about three days).';
comment on column public.webhook_endpoints.disabled_reason is 'Why the endpoint was disabled.';
comment on column public.webhook_endpoints.failing_since is
  'The first failed attempt since the last successful one; null while deliveries succeed.';
comment on column public.webhook_endpoints.created_by is 'Who registered the endpoint.';

create index webhook_endpoints_created_by_idx on public.webhook_endpoints (created_by);

create trigger _100_timestamps before insert or update on public.webhook_endpoints
  for each row execute function private.tg__timestamps();

-- enabled is the switch people use; disabled_at/disabled_reason/failing_since follow it so
-- they always tell the same story: disabling stamps the time (and a reason, if the worker
-- gave none), enabling starts afresh.
create function private.tg_webhook_endpoints__enabled() returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if new.enabled and not old.enabled then
    new.disabled_at := null;
    new.disabled_reason := null;
    new.failing_since := null;
  elsif not new.enabled and old.enabled then
    new.disabled_at := now();
    new.disabled_reason := coalesce(new.disabled_reason, 'Disabled by a workspace admin.');
  elsif new.enabled then
    new.disabled_at := null;
    new.disabled_reason := null;
  end if;
  return new;
end
$$;
comment on function private.tg_webhook_endpoints__enabled() is
  'Keeps disabled_at, disabled_reason and failing_since consistent with webhook_endpoints.enabled.';

create trigger _200_enabled before update on public.webhook_endpoints
  for each row execute function private.tg_webhook_endpoints__enabled();

create table private.webhook_endpoint_secrets (
  workspace_id uuid not null,
  endpoint_id uuid not null,
  secret text not null
    constraint webhook_endpoint_secrets_format check (secret ~ '^whsec_[A-Za-z0-9_-]{40,}$'),
  created_at timestamptz not null default now(),
  -- After a rotation the previous secret keeps signing (a second v1= in the header) until
  -- previous_expires_at, so receivers can switch without rejecting deliveries meanwhile.
  previous_secret text
    constraint webhook_endpoint_secrets_previous_format check (previous_secret ~ '^whsec_[A-Za-z0-9_-]{40,}$'),
  previous_expires_at timestamptz,
  constraint webhook_endpoint_secrets_previous_pair check ((previous_secret is null) = (previous_expires_at is null)),
  primary key (workspace_id, endpoint_id),
  foreign key (workspace_id, endpoint_id) references public.webhook_endpoints (workspace_id, id) on delete cascade
);
comment on table private.webhook_endpoint_secrets is
  'Signing secret per webhook endpoint (plain text: the worker signs with it). Never readable through an API.';
alter table private.webhook_endpoint_secrets enable row level security;
alter table private.webhook_endpoint_secrets force row level security;
revoke all on private.webhook_endpoint_secrets, private.webhook_policy from public, anon, authenticated, service_role;

-- Why a URL may not be used as a webhook target, or null when it may. The same rules as
-- workers/src/webhooks/target.ts applies after DNS resolution; here only what the text
-- shows can be judged (an address literal, a localhost name, a numeric host that a URL
-- parser would read as an address, such as 2130706433 or 0x7f.1).
create function private.webhook_url_problem(p_url text, p_allow_insecure boolean) returns text
  language plpgsql immutable
  set search_path = ''
as $$
declare
  v_parts text[];
  v_host text;
  v_addr inet;
begin
  if p_url is null or char_length(p_url) > 2000 then
    return 'The URL must be at most 2,000 characters.';
  end if;
  -- scheme, authority (no userinfo), optional path/query; no fragments.
  v_parts := regexp_match(p_url, '^(https?)://(\[[0-9A-Fa-f:.]+\]|[^/?#@[:space:]:\[\]]+)(:[0-9]{1,5})?([/?][^#[:space:]]*)?$', 'i');
  if v_parts is null then
    return 'Enter a full URL such as https://example.com/hooks/taskmaster (no spaces, user names or #fragments).';
  end if;
  if lower(v_parts[1]) <> 'https' and not p_allow_insecure then
    return 'Webhook URLs must use https://.';
  end if;
  if p_allow_insecure then
    return null;
  end if;
  v_host := lower(rtrim(v_parts[2], '.'));
  if v_host = 'localhost' or v_host ~ '\.(localhost|local|internal|localdomain|home\.arpa)$' then
    return 'Webhook URLs must point at a public host, not ' || v_host || '.';
  end if;
  if v_host ~ '^\[.*\]$' then
    begin
      v_addr := btrim(v_host, '[]')::inet;
    exception when others then
      return 'The address in the URL is not a valid IPv6 address.';
    end;
  elsif v_host ~ '^[0-9]+(\.[0-9]+){3}$' then
    begin
      v_addr := v_host::inet;
    exception when others then
      return 'The address in the URL is not a valid IPv4 address.';
    end;
  elsif v_host ~ '^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*$' then
    -- 2130706433, 127.1, 0x7f.0.0.1: URL parsers read these as IPv4 addresses.
    return 'Write IPv4 addresses as four decimal numbers (a.b.c.d), or use a host name.';
  end if;
  if v_addr is not null then
    -- IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it carries.
    if family(v_addr) = 6 and v_addr << '::ffff:0:0/96'::inet then
      v_addr := ('0.0.0.0'::inet + (v_addr - '::ffff:0.0.0.0'::inet));
    end if;
    if v_addr <<= any (array[
      '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16',
      '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15',
      '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4',
      '::/128', '::1/128', '64:ff9b::/96', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'ff00::/8'
    ]::inet[]) then
      return 'Webhook URLs must point at a public address; ' || host(v_addr) || ' is private, loopback or reserved.';
    end if;
  end if;
  return null;
end
$$;
comment on function private.webhook_url_problem(text, boolean) is
  'Why a URL is refused as a webhook target (scheme, localhost names, private/loopback/link-local/reserved address literals), or null.';

-- The caller's check for webhook management: signed in (not with an API key) and owner or
-- admin of the workspace. Raises 42501 otherwise.
create function private.require_webhook_admin(p_workspace_id uuid) returns void
  language plpgsql stable security definer
  set search_path = ''
as $$
declare
  v_claims jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
begin
  if auth.uid() is null or coalesce(v_claims ->> 'role', '') <> 'authenticated' then
    raise exception 'Sign in to manage webhooks.' using errcode = '42501';
  end if;
  if not exists (select 1 from public.workspace_members m
                 where m.workspace_id = p_workspace_id and m.user_id = auth.uid()
                   and m.role in ('owner', 'admin')) then
    raise exception 'Only workspace owners and admins can manage webhooks.' using errcode = '42501';
  end if;
end
$$;
revoke execute on function private.require_webhook_admin(uuid) from public;

-- 32 bytes from two v4 UUIDs (244 random bits from pg_strong_random), base64url.
create function private.new_webhook_secret() returns text
  language sql volatile
  set search_path = ''
as $$
  select 'whsec_' || rtrim(translate(encode(decode(
    replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'), 'base64'), '+/', '-_'), '=')
$$;
revoke execute on function private.new_webhook_secret() from public;

-- What create_webhook_endpoint() answers: the only time the secret leaves the database
-- (besides rotate_webhook_secret()).
create type public.new_webhook_endpoint as (
  id uuid,
  workspace_id uuid,
  url text,
  event_types text[],
  description text,
  enabled boolean,
  created_at timestamptz,
  secret text
);
comment on type public.new_webhook_endpoint is 'A freshly registered webhook endpoint, with its signing `secret` (shown this once only).';

create function public.create_webhook_endpoint(
  workspace_id uuid,
  url text,
  event_types text[],
  description text default ''
) returns public.new_webhook_endpoint
  language plpgsql volatile security definer
  set search_path = ''
as $$
#variable_conflict use_variable
declare
  v_problem text;
  v_type text;
  v_result public.new_webhook_endpoint;
begin
  perform private.require_webhook_admin(workspace_id);
  v_problem := private.webhook_url_problem(
    btrim(url), (select p.allow_insecure_targets from private.webhook_policy p));
  if v_problem is not null then
    raise exception '%', v_problem using errcode = '22023', hint = 'url';
  end if;
  if event_types is null or cardinality(event_types) = 0 then
    raise exception 'Choose at least one event type.' using errcode = '22023', hint = 'event_types';
  end if;
  foreach v_type in array event_types loop
    if v_type is null or split_part(v_type, '.', 1) not in ('task', 'project', 'member')
       or v_type !~ '^[a-z]+\.([a-z_]+|\*)$' then
      raise exception 'Unknown event type %: use task.*, project.*, member.* or an exact type such as task.completed.',
        coalesce(v_type, 'null') using errcode = '22023', hint = 'event_types';
    end if;
  end loop;

  insert into public.webhook_endpoints as e (workspace_id, url, event_types, description, created_by)
  values (workspace_id, btrim(url), (select array_agg(distinct t order by t) from unnest(event_types) t),
          coalesce(description, ''), auth.uid())
  returning e.id, e.workspace_id, e.url, e.event_types, e.description, e.enabled, e.created_at
  into v_result.id, v_result.workspace_id, v_result.url, v_result.event_types, v_result.description,
       v_result.enabled, v_result.created_at;

  v_result.secret := private.new_webhook_secret();
  insert into private.webhook_endpoint_secrets (workspace_id, endpoint_id, secret)
  values (v_result.workspace_id, v_result.id, v_result.secret);
  return v_result;
end
$$;
comment on function public.create_webhook_endpoint(uuid, text, text[], text) is
  'Registers a webhook endpoint (owners and admins) and returns it with its signing secret, this once. url: https, public host. event_types: task.*, project.*, member.* or exact types such as task.completed.';
revoke execute on function public.create_webhook_endpoint(uuid, text, text[], text) from public;
grant execute on function public.create_webhook_endpoint(uuid, text, text[], text) to authenticated;

create function public.rotate_webhook_secret(endpoint_id uuid, keep_previous_hours integer default 24) returns text
  language plpgsql volatile security definer
  set search_path = ''
as $$
#variable_conflict use_variable
declare
  v_workspace_id uuid;
  v_secret text := private.new_webhook_secret();
begin
  select e.workspace_id into v_workspace_id from public.webhook_endpoints e
  where e.id = endpoint_id and e.workspace_id in (select private.my_admin_workspace_ids());
  if v_workspace_id is null then
    raise exception 'No webhook endpoint with this id.' using errcode = 'PT404';
  end if;
  perform private.require_webhook_admin(v_workspace_id);
  if keep_previous_hours is null or keep_previous_hours not between 0 and 72 then
    raise exception 'keep_previous_hours must be between 0 and 72.' using errcode = '22023', hint = 'keep_previous_hours';
  end if;
  update private.webhook_endpoint_secrets s
  set previous_secret = case when keep_previous_hours > 0 then s.secret end,
      previous_expires_at = case when keep_previous_hours > 0 then now() + make_interval(hours => keep_previous_hours) end,
      secret = v_secret,
      created_at = now()
  where s.workspace_id = v_workspace_id and s.endpoint_id = endpoint_id;
  return v_secret;
end
$$;
comment on function public.rotate_webhook_secret(uuid, integer) is
  'Replaces an endpoint''s signing secret (owners and admins) and returns the new one, this once. Deliveries are signed with both the new and the previous secret for keep_previous_hours (default 24, 0 to 72; 0 = the old secret stops at once).';
revoke execute on function public.rotate_webhook_secret(uuid, integer) from public;
grant execute on function public.rotate_webhook_secret(uuid, integer) to authenticated;
