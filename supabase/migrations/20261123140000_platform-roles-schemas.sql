-- Why: every later migration assumes Supabase's role model and our schema layout.
-- Roles are cluster-wide and may already exist (hosted Supabase, a second database on the
-- same cluster), so each is created only where absent. `authenticator` is the only login
-- the APIs use; it can do nothing itself but SET ROLE to anon/authenticated/service_role.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;

-- Functions are not executable by everyone unless a migration says so.
alter default privileges revoke execute on functions from public;
revoke all on schema public from public;
grant usage on schema public to anon, authenticated, service_role;

-- private: security-definer helpers and trigger functions, never exposed to the APIs.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to service_role;
comment on schema private is 'Helpers for policies and triggers; not exposed through any API.';

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;

-- auth.uid(), auth.role(), auth.jwt() with Supabase's semantics: they read the
-- transaction-local claims the gateway sets. On hosted Supabase they already exist and
-- are left untouched.
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

do $$
begin
  if not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'jwt'
  ) then
    create function auth.jwt() returns jsonb
      language sql stable
      as $f$
        select coalesce(
          nullif(current_setting('request.jwt.claim', true), ''),
          nullif(current_setting('request.jwt.claims', true), '')
        )::jsonb
      $f$;
  end if;
  if not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'uid'
  ) then
    create function auth.uid() returns uuid
      language sql stable
      as $f$
        select coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
        )::uuid
      $f$;
  end if;
  if not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'role'
  ) then
    create function auth.role() returns text
      language sql stable
      as $f$
        select coalesce(
          nullif(current_setting('request.jwt.claim.role', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
        )::text
      $f$;
  end if;
end
$$;

grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;
