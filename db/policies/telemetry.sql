-- telemetry.web_vitals, telemetry.client_errors: written only by the gateway's service
-- pool (POST /api/v1/telemetry). RLS on with no policy at all, so any role but the owner
-- and service_role (bypassrls) is refused even if a grant slipped in; no grants to anon
-- or authenticated. Partitions are reached through the parent only, so pg_partman's new
-- partitions need no grants of their own.
alter table telemetry.web_vitals enable row level security;
alter table telemetry.web_vitals force row level security;
alter table telemetry.client_errors enable row level security;
alter table telemetry.client_errors force row level security;

revoke all on telemetry.web_vitals, telemetry.client_errors from public, anon, authenticated;
grant select, insert on telemetry.web_vitals, telemetry.client_errors to service_role;
