-- workspaces: members read their workspaces; admins rename them. Creating team
-- workspaces and deleting them go through functions (Phase 2), never a raw write.
alter table public.workspaces enable row level security;
alter table public.workspaces force row level security;

drop policy if exists select_member on public.workspaces;
create policy select_member on public.workspaces for select to authenticated
  using (id in (select private.my_workspace_ids()));

drop policy if exists update_admin on public.workspaces;
create policy update_admin on public.workspaces for update to authenticated
  using (id in (select private.my_admin_workspace_ids()))
  with check (id in (select private.my_admin_workspace_ids()));

revoke all on public.workspaces from anon, authenticated;
grant select on public.workspaces to authenticated;
grant update (name) on public.workspaces to authenticated;
grant all on public.workspaces to service_role;
