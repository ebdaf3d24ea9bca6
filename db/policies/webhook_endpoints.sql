-- webhook_endpoints: owners and admins of a workspace see, change (description,
-- event_types, enabled) and delete its endpoints; members and guests see nothing (a
-- webhook URL can carry a credential of the receiver). Endpoints are created only by
-- public.create_webhook_endpoint(), which validates the URL and makes the secret.
-- A request made with an API key manages no webhooks: my_admin_workspace_ids() is empty
-- for it.
alter table public.webhook_endpoints enable row level security;
alter table public.webhook_endpoints force row level security;

drop policy if exists select_admin on public.webhook_endpoints;
create policy select_admin on public.webhook_endpoints for select to authenticated
  using (workspace_id in (select private.my_admin_workspace_ids()));

drop policy if exists update_admin on public.webhook_endpoints;
create policy update_admin on public.webhook_endpoints for update to authenticated
  using (workspace_id in (select private.my_admin_workspace_ids()))
  with check (workspace_id in (select private.my_admin_workspace_ids()));

drop policy if exists delete_admin on public.webhook_endpoints;
create policy delete_admin on public.webhook_endpoints for delete to authenticated
  using (workspace_id in (select private.my_admin_workspace_ids()));

revoke all on public.webhook_endpoints from anon, authenticated;
grant select, delete on public.webhook_endpoints to authenticated;
grant update (description, event_types, enabled) on public.webhook_endpoints to authenticated;
grant all on public.webhook_endpoints to service_role;
