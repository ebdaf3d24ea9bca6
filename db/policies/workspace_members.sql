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

-- Only people who verified their email address add members (issue 6: unverified accounts
-- cannot invite others). RESTRICTIVE: it is ANDed with whatever permissive insert policy
-- the invitation functions of Phase 2 bring, so no future policy can forget it.
drop policy if exists insert_requires_verified_email on public.workspace_members;
create policy insert_requires_verified_email on public.workspace_members
  as restrictive for insert to authenticated
  with check ((select private.email_verified()));
