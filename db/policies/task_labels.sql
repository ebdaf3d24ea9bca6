-- task_labels: every member reads; owners, admins and members write; guests only read.
-- The tenant check is the whole policy, so the (workspace_id, …) index serves it.
alter table public.task_labels enable row level security;
alter table public.task_labels force row level security;

drop policy if exists select_member on public.task_labels;
create policy select_member on public.task_labels for select to authenticated
  using (workspace_id in (select private.my_workspace_ids()));

drop policy if exists insert_writer on public.task_labels;
create policy insert_writer on public.task_labels for insert to authenticated
  with check (workspace_id in (select private.my_writable_workspace_ids()));

drop policy if exists delete_writer on public.task_labels;
create policy delete_writer on public.task_labels for delete to authenticated
  using (workspace_id in (select private.my_writable_workspace_ids()));

-- Column lists on insert/update keep ids, workspace_id, created_by and timestamps
-- immutable from the APIs.
revoke all on public.task_labels from anon, authenticated;
grant select, delete on public.task_labels to authenticated;
grant insert (workspace_id, task_id, label_id) on public.task_labels to authenticated;
grant all on public.task_labels to service_role;
