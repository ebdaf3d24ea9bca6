-- Why: the second factor becomes something the data layer can rely on (issue 6, MFA and
-- account deletion):
--  * private.totp_steps remembers, per person, the last TOTP time-step accepted, so the
--    same code (or an older one still inside the verification window) cannot be replayed;
--    Better Auth's two-factor plugin accepts any code of the window as often as it is sent.
--  * private.erasure_requests + private.schedule_account_erasure(): deleting an account
--    schedules its personal workspace (and team workspaces where the person was the only
--    member) for erasure after a grace period, through the graphile-worker job
--    workspaces__erase. A team workspace that still has other members but no other owner
--    blocks the deletion (transfer ownership first): deleting it would destroy other
--    people's work, keeping it ownerless would leave nobody to administer it.
--  * public.create_api_key() now also refuses callers whose email is unverified, and
--    callers who enrolled a second factor but whose token is not aal2 (docs/adr, step-up).
create table private.totp_steps (
  user_id uuid primary key references identity.users (id) on delete cascade,
  last_step bigint not null,
  updated_at timestamptz not null default now()
);
comment on table private.totp_steps is
  'Last TOTP time-step (unix time / 30 s) accepted per person: a code of that step or an earlier one is refused (no replay).';

-- Accepts the TOTP time-step p_step for p_user_id when it is newer than the last one
-- accepted, atomically (two concurrent requests with the same code: one wins).
create function private.claim_totp_step(p_user_id uuid, p_step bigint) returns boolean
  language sql volatile
  set search_path = ''
as $$
  with claimed as (
    insert into private.totp_steps as t (user_id, last_step) values (p_user_id, p_step)
    on conflict (user_id) do update set last_step = excluded.last_step, updated_at = now()
      where t.last_step < excluded.last_step
    returning 1
  )
  select exists (select 1 from claimed)
$$;
comment on function private.claim_totp_step(uuid, bigint) is
  'True (and remembered) when this TOTP time-step is newer than the last accepted one for the person; false means replay.';
revoke all on function private.claim_totp_step(uuid, bigint) from public;

create table private.erasure_requests (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  -- The person whose deletion asked for it: no foreign key, the identity is gone by then.
  requested_by uuid not null,
  reason text not null constraint erasure_requests_reason_valid check (reason in ('account_deleted')),
  requested_at timestamptz not null default now(),
  run_at timestamptz not null,
  done_at timestamptz
);
create index erasure_requests_workspace_id_idx on private.erasure_requests (workspace_id);
comment on table private.erasure_requests is
  'Workspaces scheduled for erasure (account deletion): workspaces__erase deletes each at run_at unless someone joined it since.';

-- Called by the account-deletion hook (lib/auth/account-deletion.ts) before the identity
-- is deleted. Raises 55000 naming the blocking workspaces when the person is the only owner
-- of a workspace others still belong to. Returns the workspaces scheduled for erasure.
create function private.schedule_account_erasure(p_user_id uuid, p_delay interval)
  returns setof uuid
  language plpgsql volatile
  set search_path = ''
as $$
declare
  v_blocking text;
  v_request record;
begin
  select string_agg(w.name, ', ' order by w.name) into v_blocking
  from public.workspace_members m
  join public.workspaces w on w.id = m.workspace_id
  where m.user_id = p_user_id and m.role = 'owner' and w.kind = 'team'
    and exists (select 1 from public.workspace_members o
                where o.workspace_id = m.workspace_id and o.user_id <> p_user_id)
    and not exists (select 1 from public.workspace_members o
                    where o.workspace_id = m.workspace_id and o.user_id <> p_user_id and o.role = 'owner');
  if v_blocking is not null then
    raise exception 'You are the only owner of %: make someone else an owner before deleting your account.', v_blocking
      using errcode = '55000';
  end if;

  for v_request in
    insert into private.erasure_requests (workspace_id, requested_by, reason, run_at)
    select m.workspace_id, p_user_id, 'account_deleted', now() + p_delay
    from public.workspace_members m
    where m.user_id = p_user_id
      and not exists (select 1 from public.workspace_members o
                      where o.workspace_id = m.workspace_id and o.user_id <> p_user_id)
    returning id, workspace_id, run_at
  loop
    perform graphile_worker.add_job('workspaces__erase', json_build_object('request_id', v_request.id),
      run_at => v_request.run_at, job_key => 'workspaces__erase:' || v_request.workspace_id, max_attempts => 10);
    return next v_request.workspace_id;
  end loop;
end
$$;
comment on function private.schedule_account_erasure(uuid, interval) is
  'Schedules erasure of the workspaces only this person belongs to; refuses (55000) while they are the only owner of a shared workspace.';
revoke all on function private.schedule_account_erasure(uuid, interval) from public;

create or replace function public.create_api_key(
  workspace_id uuid,
  name text,
  role text default 'read',
  expires_at timestamptz default null
) returns public.new_api_key
  language plpgsql volatile security definer
  set search_path = ''
as $$
#variable_conflict use_variable
declare
  v_claims jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
  v_user_id uuid := auth.uid();
  v_member_role text;
  v_key text;
  v_result public.new_api_key;
begin
  if v_user_id is null or coalesce(v_claims ->> 'role', '') <> 'authenticated' then
    raise exception 'Sign in to create API keys.' using errcode = '42501';
  end if;
  -- A leaked key must not be able to mint more keys (or outlive its own revocation).
  if v_claims ? 'api_key_id' then
    raise exception 'An API key cannot create API keys.' using errcode = '42501',
      hint = 'Create keys in the app (Settings, API keys) or with a session token.';
  end if;
  if not private.email_verified() then
    raise exception 'Verify your email address before creating API keys.' using errcode = '42501',
      hint = 'Open the link in the verification email, or ask for a new one in Settings.';
  end if;
  -- A key is a long-lived credential: whoever enrolled a second factor mints it only from
  -- a session that verified that factor (aal2), never from a stolen password alone.
  if private.second_factor_enrolled() and private.current_aal() <> 'aal2' then
    raise exception 'Confirm your second factor before creating API keys.' using errcode = '42501',
      hint = 'Verify a code from your authenticator app at /step-up, then try again.';
  end if;
  select m.role into v_member_role from public.workspace_members m
  where m.workspace_id = create_api_key.workspace_id and m.user_id = v_user_id;
  if v_member_role is null then
    raise exception 'You are not a member of this workspace.' using errcode = '42501';
  end if;
  if role = 'write' and v_member_role not in ('owner', 'admin', 'member') then
    raise exception 'Guests can only create read keys.' using errcode = '42501';
  end if;

  -- 32 bytes from two v4 UUIDs: 244 bits from the server's strong random source
  -- (pg_strong_random), without depending on pgcrypto being installed. base64url, no padding.
  v_key := 'tm_' || rtrim(translate(encode(decode(
    replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'), 'base64'), '+/', '-_'), '=');

  insert into public.api_keys as k (workspace_id, name, role, prefix, created_by, expires_at)
  values (workspace_id, name, role, left(v_key, 11), v_user_id,
          coalesce(expires_at, now() + interval '90 days'))
  returning k.id, k.workspace_id, k.name, k.role, k.prefix, k.expires_at, v_key
  into v_result.id, v_result.workspace_id, v_result.name, v_result.role, v_result.prefix,
       v_result.expires_at, v_result.key;

  insert into private.api_key_secrets (secret_hash, workspace_id, api_key_id)
  values (encode(sha256(convert_to(v_key, 'UTF8')), 'hex'), v_result.workspace_id, v_result.id);
  return v_result;
end
$$;
comment on function public.create_api_key(uuid, text, text, timestamptz) is
  'Creates an API key for a workspace you belong to and returns it, in plaintext, this once. Requires a verified email, and aal2 when you enrolled a second factor. role: read or write (write needs a member who can write). expires_at: default in 90 days, at most a year.';
