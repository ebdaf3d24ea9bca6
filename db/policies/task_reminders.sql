-- task_reminders: like their tasks — every member reads; owners, admins and members write;
-- guests only read. The tenant check is the whole policy, so the (workspace_id, …) index
-- serves it.
alter table public.task_reminders enable row level security;
alter table public.task_reminders force row level security;

drop policy if exists select_member on public.task_reminders;
create policy select_member on public.task_reminders for select to authenticated
  using (workspace_id in (select private.my_workspace_ids()));

drop policy if exists insert_writer on public.task_reminders;
create policy insert_writer on public.task_reminders for insert to authenticated
  with check (workspace_id in (select private.my_writable_workspace_ids()));

drop policy if exists update_writer on public.task_reminders;
create policy update_writer on public.task_reminders for update to authenticated
  using (workspace_id in (select private.my_writable_workspace_ids()))
  with check (workspace_id in (select private.my_writable_workspace_ids()));

drop policy if exists delete_writer on public.task_reminders;
create policy delete_writer on public.task_reminders for delete to authenticated
  using (workspace_id in (select private.my_writable_workspace_ids()));

-- Column lists on insert/update keep ids, workspace_id, task_id, created_by and timestamps
-- immutable from the APIs (a reminder moves to another task by being re-created).
revoke all on public.task_reminders from anon, authenticated;
grant select, delete on public.task_reminders to authenticated;
grant insert (workspace_id, id, task_id, kind, offset_amount, offset_unit, remind_at) on public.task_reminders to authenticated;
grant update (kind, offset_amount, offset_unit, remind_at) on public.task_reminders to authenticated;
grant all on public.task_reminders to service_role;
