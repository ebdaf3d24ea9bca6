-- workspace_members: a member sees who else is in their workspaces. Membership changes
-- (invites, role changes, removal) arrive with teams in Phase 2, through functions.
alter table public.workspace_members enable row level security;
alter table public.workspace_members force row level security;

drop policy if exists select_member on public.workspace_members;
create policy select_member on public.workspace_members for select to authenticated
  using (workspace_id in (select private.my_workspace_ids()));

revoke all on public.workspace_members from anon, authenticated;
grant select on public.workspace_members to authenticated;
grant all on public.workspace_members to service_role;
