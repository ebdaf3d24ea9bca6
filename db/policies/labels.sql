-- labels: every member reads; owners, admins and members write; guests only read.
-- The tenant check is the whole policy, so the (workspace_id, …) index serves it.
alter table public.labels enable row level security;
alter table public.labels force row level security;

drop policy if exists select_member on public.labels;
create policy select_member on public.labels for select to authenticated
  using (workspace_id in (select private.my_workspace_ids()));

drop policy if exists insert_writer on public.labels;
create policy insert_writer on public.labels for insert to authenticated
  with check (workspace_id in (select private.my_writable_workspace_ids()));

drop policy if exists update_writer on public.labels;
create policy update_writer on public.labels for update to authenticated
  using (workspace_id in (select private.my_writable_workspace_ids()))
  with check (workspace_id in (select private.my_writable_workspace_ids()));

drop policy if exists delete_writer on public.labels;
create policy delete_writer on public.labels for delete to authenticated
  using (workspace_id in (select private.my_writable_workspace_ids()));

-- Column lists on insert/update keep ids, workspace_id, created_by and timestamps
-- immutable from the APIs.
revoke all on public.labels from anon, authenticated;
grant select, delete on public.labels to authenticated;
grant insert (workspace_id, id, name, color) on public.labels to authenticated;
grant update (name, color) on public.labels to authenticated;
grant all on public.labels to service_role;
