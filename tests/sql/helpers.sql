-- Helpers for the pgTAP tests in tests/sql (loaded by scripts/test-sql.sh into the
-- throw-away test database only; never part of a migration). Idempotent.
--
-- Identity is switched the way the gateway does it (lib/db/as-user.ts): a transaction-local
-- role plus transaction-local claims, so a test sees exactly what an API request would.
-- None of these functions has a SET clause: a SET clause would undo the role change when
-- the function returns.
--
-- No freeze_time(): Postgres cannot freeze now() for code that names pg_catalog.now()
-- (every trigger here runs with search_path = ''), and inside one test transaction now()
-- is already constant, so tests compare against now() directly.
create schema if not exists tests;
comment on schema tests is 'pgTAP helpers; exists only in the test database.';

-- A user as Better Auth would create it (email <name>@example.test, so a name is used once
-- per test); the identity trigger adds the personal workspace and owner membership.
create or replace function tests.create_user(p_name text) returns uuid
  language sql volatile
as $$
  insert into identity.users (name, email, email_verified)
  values (p_name, lower(regexp_replace(p_name, '[^A-Za-z0-9._-]+', '-', 'g')) || '@example.test', false)
  returning id
$$;

create or replace function tests.personal_workspace(p_user_id uuid) returns uuid
  language sql stable
as $$
  select w.id from public.workspaces w
  where w.kind = 'personal' and w.created_by = p_user_id
$$;

-- Adds a membership directly (setup only: the product has no membership API yet).
create or replace function tests.add_member(p_workspace_id uuid, p_user_id uuid, p_role text)
  returns void
  language sql volatile
as $$
  insert into public.workspace_members (workspace_id, user_id, role)
  values (p_workspace_id, p_user_id, p_role)
$$;

create or replace function tests.authenticate_as(p_user_id uuid) returns void
  language plpgsql volatile
as $$
declare
  v_claims jsonb := jsonb_build_object('sub', p_user_id, 'role', 'authenticated');
begin
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims', v_claims::text, true);
  -- The legacy per-claim settings win in auth.uid(); keep them in step, as the gateway does.
  perform set_config('request.jwt.claim.sub', p_user_id::text, true);
  perform set_config('request.jwt.claim.role', 'authenticated', true);
end
$$;

create or replace function tests.authenticate_as_anon() returns void
  language plpgsql volatile
as $$
begin
  perform set_config('role', 'anon', true);
  perform set_config('request.jwt.claims', '{"role":"anon"}', true);
  perform set_config('request.jwt.claim.sub', '', true);
  perform set_config('request.jwt.claim.role', 'anon', true);
end
$$;

-- Back to the session user (the superuser running the tests), with no claims.
create or replace function tests.clear_authentication() returns void
  language plpgsql volatile
as $$
begin
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
  perform set_config('request.jwt.claim.sub', '', true);
  perform set_config('request.jwt.claim.role', '', true);
end
$$;

-- Tests switch identity while running as anon/authenticated, so those roles may call the
-- switching helpers (and nothing else here). Resetting the role is always allowed: SET
-- ROLE is checked against the session user, the superuser.
grant usage on schema tests to anon, authenticated;
grant execute on function tests.authenticate_as(uuid), tests.authenticate_as_anon(),
  tests.clear_authentication() to anon, authenticated;
