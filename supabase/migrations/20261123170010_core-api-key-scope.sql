-- Why: a request authenticated by an API key carries claims
--   { sub: <creator>, role: 'authenticated', api_key_id, workspace_id, workspace_role: 'read'|'write' }
-- and must see and change only what that key allows: its one workspace (even when the
-- creator belongs to several), no writes for a read key, and never admin rights (a key
-- cannot rename a workspace or manage members or keys). Every policy goes through these
-- three helpers, so scoping them scopes everything. Same signatures: policies keep
-- working unchanged; `create or replace` swaps the bodies atomically.
--
-- Cost: each helper runs once per statement (policies call it as `(select …)`), reads the
-- claims once, and stays the same index lookup on workspace_members (user_id, workspace_id).
-- A key's claims without a workspace_id see nothing (the comparison with null is false).

create or replace function private.my_workspace_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
as $$
  select m.workspace_id
  from (select nullif(current_setting('request.jwt.claims', true), '')::jsonb as claims) c,
    public.workspace_members m
  where m.user_id = (select auth.uid())
    and (c.claims ->> 'api_key_id' is null
         or m.workspace_id = (c.claims ->> 'workspace_id')::uuid)
$$;

create or replace function private.my_writable_workspace_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
as $$
  select m.workspace_id
  from (select nullif(current_setting('request.jwt.claims', true), '')::jsonb as claims) c,
    public.workspace_members m
  where m.user_id = (select auth.uid()) and m.role in ('owner', 'admin', 'member')
    and (c.claims ->> 'api_key_id' is null
         or (m.workspace_id = (c.claims ->> 'workspace_id')::uuid
             and c.claims ->> 'workspace_role' = 'write'))
$$;

create or replace function private.my_admin_workspace_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
as $$
  select m.workspace_id
  from (select nullif(current_setting('request.jwt.claims', true), '')::jsonb as claims) c,
    public.workspace_members m
  where m.user_id = (select auth.uid()) and m.role in ('owner', 'admin')
    and c.claims ->> 'api_key_id' is null
$$;
