-- account.user_settings (reached as the view public.user_settings): a person reads and
-- writes only their own row. No delete: a row is reset by writing the defaults.
alter table account.user_settings enable row level security;
alter table account.user_settings force row level security;

drop policy if exists select_own on account.user_settings;
create policy select_own on account.user_settings for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists insert_own on account.user_settings;
create policy insert_own on account.user_settings for insert to authenticated
  with check (user_id = (select auth.uid()));

drop policy if exists update_own on account.user_settings;
create policy update_own on account.user_settings for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- The view runs as the caller (security_invoker), so the caller needs the same rights on
-- the view and on the table. user_id is insertable (supabase-js upserts send it; the
-- policy pins it to the caller) but never updatable.
revoke all on account.user_settings, public.user_settings from anon, authenticated;
grant select on account.user_settings, public.user_settings to authenticated;
grant insert (user_id, time_zone, locale, theme, week_start) on account.user_settings, public.user_settings to authenticated;
grant update (time_zone, locale, theme, week_start) on account.user_settings, public.user_settings to authenticated;
grant all on account.user_settings, public.user_settings to service_role;
