-- projects: every member reads; owners, admins and members write; guests only read.
-- The tenant check is the whole policy, so the (workspace_id, …) index serves it.
alter table public.projects enable row level security;
alter table public.projects force row level security;

drop policy if exists select_member on public.projects;
create policy select_member on public.projects for select to authenticated
  using (workspace_id in (select private.my_workspace_ids()));

drop policy if exists insert_writer on public.projects;
create policy insert_writer on public.projects for insert to authenticated
  with check (workspace_id in (select private.my_writable_workspace_ids()));

drop policy if exists update_writer on public.projects;
create policy update_writer on public.projects for update to authenticated
  using (workspace_id in (select private.my_writable_workspace_ids()))
  with check (workspace_id in (select private.my_writable_workspace_ids()));

drop policy if exists delete_writer on public.projects;
create policy delete_writer on public.projects for delete to authenticated
  using (workspace_id in (select private.my_writable_workspace_ids()));

-- Column lists on insert/update keep ids, workspace_id, created_by and timestamps
-- immutable from the APIs.
revoke all on public.projects from anon, authenticated;
grant select, delete on public.projects to authenticated;
grant insert (workspace_id, id, name, color, position, archived_at) on public.projects to authenticated;
grant update (name, color, position, archived_at) on public.projects to authenticated;
grant all on public.projects to service_role;
