-- account.notifications (view public.notifications): each person reads, marks read
-- (read_at only) and deletes their own; nobody inserts through the APIs (private.notify,
-- security definer, is the writer). The view runs as the caller: same rights on both.
alter table account.notifications enable row level security;
alter table account.notifications force row level security;

drop policy if exists select_own on account.notifications;
create policy select_own on account.notifications for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists update_own on account.notifications;
create policy update_own on account.notifications for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

drop policy if exists delete_own on account.notifications;
create policy delete_own on account.notifications for delete to authenticated
  using (user_id = (select auth.uid()));

revoke all on account.notifications, public.notifications from public, anon, authenticated;
grant select, delete on account.notifications, public.notifications to authenticated;
grant update (read_at) on account.notifications, public.notifications to authenticated;
grant all on account.notifications, public.notifications to service_role;

-- account.notification_preferences (view public.notification_preferences): own rows only.
alter table account.notification_preferences enable row level security;
alter table account.notification_preferences force row level security;

drop policy if exists select_own on account.notification_preferences;
create policy select_own on account.notification_preferences for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists insert_own on account.notification_preferences;
create policy insert_own on account.notification_preferences for insert to authenticated
  with check (user_id = (select auth.uid()));

drop policy if exists update_own on account.notification_preferences;
create policy update_own on account.notification_preferences for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

drop policy if exists delete_own on account.notification_preferences;
create policy delete_own on account.notification_preferences for delete to authenticated
  using (user_id = (select auth.uid()));

-- The view runs as the caller (security_invoker): same rights on view and table.
revoke all on account.notification_preferences, public.notification_preferences from public, anon, authenticated;
grant select, insert (user_id, kind, channel, enabled), update (enabled, updated_at), delete
  on account.notification_preferences, public.notification_preferences to authenticated;
grant all on account.notification_preferences, public.notification_preferences to service_role;

-- Kinds are readable (the settings page lists them); the mail queue is internal.
revoke all on private.notification_kinds, private.outgoing_mail from public, anon, authenticated;
grant select on private.notification_kinds to authenticated;
revoke all on public.notification_kinds from public, anon, authenticated;
grant select on public.notification_kinds to authenticated, service_role;
