-- tasks: every member reads; owners, admins and members write; guests only read.
-- The tenant check is the whole policy, so the (workspace_id, …) index serves it.
alter table public.tasks enable row level security;
alter table public.tasks force row level security;

drop policy if exists select_member on public.tasks;
create policy select_member on public.tasks for select to authenticated
  using (workspace_id in (select private.my_workspace_ids()));

drop policy if exists insert_writer on public.tasks;
create policy insert_writer on public.tasks for insert to authenticated
  with check (workspace_id in (select private.my_writable_workspace_ids()));

drop policy if exists update_writer on public.tasks;
create policy update_writer on public.tasks for update to authenticated
  using (workspace_id in (select private.my_writable_workspace_ids()))
  with check (workspace_id in (select private.my_writable_workspace_ids()));

drop policy if exists delete_writer on public.tasks;
create policy delete_writer on public.tasks for delete to authenticated
  using (workspace_id in (select private.my_writable_workspace_ids()));

-- Column lists on insert/update keep ids, workspace_id, created_by and timestamps
-- immutable from the APIs.
revoke all on public.tasks from anon, authenticated;
grant select, delete on public.tasks to authenticated;
grant insert (workspace_id, id, project_id, title, notes, status, priority, due_date, due_time, due_tz, recurrence, position, completed_at, deleted_at) on public.tasks to authenticated;
grant update (project_id, title, notes, status, priority, due_date, due_time, due_tz, recurrence, position, completed_at, deleted_at) on public.tasks to authenticated;
grant all on public.tasks to service_role;
