-- events.log (read through the view public.events): members read their workspace's
-- events; nobody writes them through the APIs.
-- private.emit_event (security definer, called by the row triggers) is the only writer,
-- so an event cannot be forged or edited. Partitions are reached through the parent only.
alter table events.log enable row level security;
alter table events.log force row level security;

drop policy if exists select_member on events.log;
create policy select_member on events.log for select to authenticated
  using (workspace_id in (select private.my_workspace_ids()));

revoke all on events.log from public, anon, authenticated;
grant select on events.log to authenticated, service_role;
revoke all on public.events from public, anon, authenticated;
grant select on public.events to authenticated, service_role;

-- The consumer registry, counters and queue pressure are internal.
revoke all on private.event_consumers, private.queue_pressure, private.workspace_event_counters from public, anon, authenticated;
grant select, update on private.queue_pressure to service_role;
