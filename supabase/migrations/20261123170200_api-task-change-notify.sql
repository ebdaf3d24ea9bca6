-- Why: GraphQL subscriptions (Subscription.taskChanged, gateway/src/graphql) must hear
-- about task writes without polling. A row trigger publishes {op, workspace_id, id} on
-- the workspace's channel `tasks:<workspace_id>`: ids only, never row contents, so a
-- notification carries nothing RLS would hide; each subscriber re-reads the row as
-- itself. NOTIFY is delivered at commit, only for committed transactions, and identical
-- notifications within one transaction are collapsed by Postgres.
create function private.tg_tasks__notify_change() returns trigger
  language plpgsql
  set search_path = ''
as $$
declare
  v_workspace_id uuid;
  v_id uuid;
begin
  if tg_op = 'DELETE' then
    v_workspace_id := old.workspace_id;
    v_id := old.id;
  else
    v_workspace_id := new.workspace_id;
    v_id := new.id;
  end if;
  perform pg_notify(
    'tasks:' || v_workspace_id::text,
    json_build_object('op', tg_op, 'workspace_id', v_workspace_id, 'id', v_id)::text
  );
  return null;
end
$$;
comment on function private.tg_tasks__notify_change() is
  'Publishes a task write (op and ids only) on the channel tasks:<workspace_id> for GraphQL subscriptions.';

create trigger _900_notify_change after insert or update or delete on public.tasks
  for each row execute function private.tg_tasks__notify_change();
