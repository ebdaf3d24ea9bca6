-- support.bug_reports: insert-only for the people sending them. A signed-in reporter's row
-- carries their id (defaulted from the token; no one can file as someone else), a
-- signed-out one's carries none. No select, update or delete policy: reports are read by
-- staff through the service role (which bypasses RLS), never through a caller's role.
alter table support.bug_reports enable row level security;
alter table support.bug_reports force row level security;

drop policy if exists insert_anon on support.bug_reports;
create policy insert_anon on support.bug_reports for insert to anon
  with check (user_id is null);

drop policy if exists insert_own on support.bug_reports;
create policy insert_own on support.bug_reports for insert to authenticated
  with check (user_id = (select auth.uid()));

-- The gateway generates the id (a report cannot be read back with RETURNING, which needs
-- select); user_id is not in the list: it is always the default, auth.uid().
revoke all on support.bug_reports from anon, authenticated;
grant insert (id, description, route, app_version, user_agent, client_errors, screenshot)
  on support.bug_reports to anon, authenticated;
grant all on support.bug_reports to service_role;
