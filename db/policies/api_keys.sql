-- api_keys: members see the keys of their workspaces (nothing secret is in the table);
-- keys are created only by public.create_api_key(); the creator or a workspace admin
-- revokes one by setting revoked_at, and nothing else is ever updated. Nobody deletes:
-- a revoked key's row stays as the record of what existed. A request made with an API
-- key manages no keys (my_admin_workspace_ids() is empty for it, and update_creator
-- requires a request without api_key_id).
alter table public.api_keys enable row level security;
alter table public.api_keys force row level security;

drop policy if exists select_member on public.api_keys;
create policy select_member on public.api_keys for select to authenticated
  using (workspace_id in (select private.my_workspace_ids()));

drop policy if exists update_creator on public.api_keys;
create policy update_creator on public.api_keys for update to authenticated
  using (workspace_id in (select private.my_workspace_ids())
         and created_by = (select auth.uid())
         and (select auth.jwt() ->> 'api_key_id') is null)
  with check (workspace_id in (select private.my_workspace_ids())
              and created_by = (select auth.uid())
              and (select auth.jwt() ->> 'api_key_id') is null);

drop policy if exists update_admin on public.api_keys;
create policy update_admin on public.api_keys for update to authenticated
  using (workspace_id in (select private.my_admin_workspace_ids()))
  with check (workspace_id in (select private.my_admin_workspace_ids()));

revoke all on public.api_keys from anon, authenticated;
grant select on public.api_keys to authenticated;
grant update (revoked_at) on public.api_keys to authenticated;
grant all on public.api_keys to service_role;
