-- webhook_deliveries: owners and admins of a workspace read its delivery log; nobody
-- writes it through the APIs. The worker (webhook_deliveries__send) records attempts on
-- the owner connection; public.redeliver_webhook() queues a delivery again.
alter table public.webhook_deliveries enable row level security;
alter table public.webhook_deliveries force row level security;

drop policy if exists select_admin on public.webhook_deliveries;
create policy select_admin on public.webhook_deliveries for select to authenticated
  using (workspace_id in (select private.my_admin_workspace_ids()));

revoke all on public.webhook_deliveries from anon, authenticated;
grant select on public.webhook_deliveries to authenticated;
grant all on public.webhook_deliveries to service_role;
