-- Why: programmatic clients (scripts, integrations, CI) need credentials that are not a
-- person's browser session: scoped to one workspace and a role, shown once, stored only
-- as a hash, expiring, revocable, with a last-used time. A key acts as the person who
-- created it, never with more power than that person's membership gives (the scope rules
-- live in private.my_*_workspace_ids(), see 20261123170010_core-api-key-scope.sql).
--
-- The hash sits in private.api_key_secrets, not in a column of public.api_keys: with a
-- column grant excluding it, `select *` (what supabase-js and PostgREST send by default)
-- would fail with "permission denied for column", so the exposed table holds nothing
-- secret and can be read whole.

create table public.api_keys (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text not null
    constraint api_keys_name_length check (char_length(btrim(name)) between 1 and 100)
    -- btrim() trims only spaces: a name of tabs or no-break spaces must fail too.
    constraint api_keys_name_not_blank check (name ~ '[^[:space:]\u00a0\u200b\ufeff]'),
  role text not null default 'read'
    constraint api_keys_role_valid check (role in ('read', 'write')),
  prefix text not null
    constraint api_keys_prefix_format check (prefix ~ '^tm_[A-Za-z0-9_-]{8}$'),
  -- A key acts as its creator: without the creator it has no meaning, so it goes too.
  created_by uuid not null references identity.users (id) on delete cascade,
  expires_at timestamptz not null default now() + interval '90 days',
  revoked_at timestamptz,
  last_used_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- created_at is set by the timestamps trigger before this check runs.
  constraint api_keys_expiry_range check (expires_at > created_at and expires_at <= created_at + interval '1 year'),
  primary key (workspace_id, id)
);
comment on table public.api_keys is
  'Keys for programmatic access to one workspace. The secret is shown once by create_api_key() and stored only as a hash.';
comment on column public.api_keys.name is 'What the key is for, e.g. "CI import script".';
comment on column public.api_keys.role is
  'read: the key can only read. write: it can also write, as far as its creator''s membership allows.';
comment on column public.api_keys.prefix is 'The first characters of the key, to recognise it; not enough to use it.';
comment on column public.api_keys.created_by is 'The person the key acts as.';
comment on column public.api_keys.expires_at is 'The key stops working at this time (at most a year after creation).';
comment on column public.api_keys.revoked_at is 'Set once to revoke the key; a revoked key never works again.';
comment on column public.api_keys.last_used_at is 'When the key last authenticated a request (updated at most once a minute).';

-- Serves the foreign key's cascade when a user is deleted, and "my keys" lists.
create index api_keys_created_by_idx on public.api_keys (created_by);

create trigger _100_timestamps before insert or update on public.api_keys
  for each row execute function private.tg__timestamps();

-- Revocation is final and timed by the database: revoking sets revoked_at to now()
-- whatever time a client sends (a "revocation" in the future would be no revocation),
-- revoking twice keeps the first time, and clearing it does not bring a key back.
create function private.tg_api_keys__revocation_final() returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if old.revoked_at is not null then
    new.revoked_at := old.revoked_at;
  elsif new.revoked_at is not null then
    new.revoked_at := now();
  end if;
  return new;
end
$$;
comment on function private.tg_api_keys__revocation_final() is
  'Keeps api_keys.revoked_at write-once and set to the time of revocation.';

create trigger _200_revocation_final before update on public.api_keys
  for each row execute function private.tg_api_keys__revocation_final();

-- The secret's hash. SHA-256 and not a slow password hash (bcrypt, argon2): the secret
-- is 244 random bits, not something a person chose, so there is no dictionary to try
-- and brute force over 2^244 is out of reach whatever the hash costs; a fast hash lets
-- the gateway look a key up by an index on every request without burning CPU.
create table private.api_key_secrets (
  secret_hash text not null primary key
    constraint api_key_secrets_hash_format check (secret_hash ~ '^[0-9a-f]{64}$'),
  workspace_id uuid not null,
  api_key_id uuid not null,
  constraint api_key_secrets_key_unique unique (workspace_id, api_key_id),
  foreign key (workspace_id, api_key_id) references public.api_keys (workspace_id, id) on delete cascade
);
comment on table private.api_key_secrets is 'sha256 (hex) of each API key''s plaintext; never readable through an API.';
grant select on private.api_key_secrets to service_role;

-- What create_api_key() answers: the only time the plaintext key leaves the database.
create type public.new_api_key as (
  id uuid,
  workspace_id uuid,
  name text,
  role text,
  prefix text,
  expires_at timestamptz,
  key text
);
comment on type public.new_api_key is 'A freshly created API key, with its plaintext `key` (shown this once only).';

-- Security definer in public (not private): it is the API for creating keys (RPC
-- /rest/v1/rpc/create_api_key, the app's settings page), and authenticated has no write
-- grant on api_keys nor any access to the secrets. It checks the caller first.
create function public.create_api_key(
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
  'Creates an API key for a workspace you belong to and returns it, in plaintext, this once. role: read or write (write needs a member who can write). expires_at: default in 90 days, at most a year.';
grant execute on function public.create_api_key(uuid, text, text, timestamptz) to authenticated;

-- The gateway's lookup (on the owner connection, before any caller identity exists):
-- the key's scope when it is neither revoked nor expired and its creator still belongs
-- to the workspace. last_used_at is written at most once a minute per key, so a busy
-- key costs no write per request.
create function private.authenticate_api_key(p_secret_hash text)
  returns table (api_key_id uuid, workspace_id uuid, user_id uuid, role text, expires_at timestamptz)
  language sql volatile security definer
  set search_path = ''
as $$
  with found as (
    select k.workspace_id, k.id, k.created_by, k.role, k.expires_at
    from private.api_key_secrets s
    join public.api_keys k on k.workspace_id = s.workspace_id and k.id = s.api_key_id
    join public.workspace_members m on m.workspace_id = k.workspace_id and m.user_id = k.created_by
    where s.secret_hash = p_secret_hash
      and k.revoked_at is null
      and k.expires_at > now()
  ), touched as (
    update public.api_keys k set last_used_at = now()
    from found f
    where k.workspace_id = f.workspace_id and k.id = f.id
      and (k.last_used_at is null or k.last_used_at < now() - interval '1 minute')
    returning k.id
  )
  select f.id, f.workspace_id, f.created_by, f.role, f.expires_at from found f
$$;
comment on function private.authenticate_api_key(text) is
  'The scope of a usable API key by the sha256 hex of its plaintext; marks it used (at most once a minute).';
grant execute on function private.authenticate_api_key(text) to service_role;
