-- analytics.workspace_daily, private.event_receipts: written by the worker (owner
-- connection) only; no API role reads them yet.
alter table analytics.workspace_daily enable row level security;
alter table analytics.workspace_daily force row level security;
revoke all on analytics.workspace_daily from public, anon, authenticated;
revoke all on private.event_receipts from public, anon, authenticated;
