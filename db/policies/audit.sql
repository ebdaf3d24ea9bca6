-- account.audit (view public.security_events): each person reads the events about their
-- own account; nobody writes through the APIs (private.record_audit is the writer) and
-- nobody, not even the owner, updates or deletes (triggers in the migration).
alter table account.audit enable row level security;
alter table account.audit force row level security;

drop policy if exists select_own on account.audit;
create policy select_own on account.audit for select to authenticated
  using (subject_id = (select auth.uid()));

revoke all on account.audit, public.security_events from public, anon, authenticated;
grant select on account.audit, public.security_events to authenticated;
grant select, insert on account.audit to service_role;
grant select on public.security_events to service_role;
