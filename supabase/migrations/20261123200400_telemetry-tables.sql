-- Why: the app sends web vitals and uncaught errors with sendBeacon (issue 4) so dashboards
-- can be built later. High-volume, append-only, worthless after a year: tables partitioned
-- by month (pg_partman creates and drops the partitions; db/partitions/telemetry_*.sql),
-- in their own schema, written only by the gateway's service pool. No grants to anon or
-- authenticated: the only way in is POST /api/v1/telemetry, which validates every event.
-- No user id is stored: telemetry is about the app, not the person.
create schema telemetry;
comment on schema telemetry is 'Client telemetry (web vitals, client errors), partitioned by month; written by the gateway only.';
grant usage on schema telemetry to service_role;

create table telemetry.web_vitals (
  id uuid not null default gen_random_uuid(),
  received_at timestamptz not null default now(),
  name text not null
    constraint web_vitals_name_valid check (name in ('LCP', 'CLS', 'INP', 'TTFB', 'FCP')),
  value double precision not null
    constraint web_vitals_value_range check (value >= 0 and value <= 3600000),
  rating text
    constraint web_vitals_rating_valid check (rating in ('good', 'needs-improvement', 'poor')),
  route text
    constraint web_vitals_route_length check (char_length(route) <= 500),
  navigation_type text
    constraint web_vitals_navigation_type_length check (char_length(navigation_type) <= 40),
  app_version text
    constraint web_vitals_app_version_length check (char_length(app_version) <= 100),
  primary key (received_at, id)
) partition by range (received_at);
comment on table telemetry.web_vitals is 'One web-vitals measurement (web-vitals library) per row; monthly partitions.';

create table telemetry.client_errors (
  id uuid not null default gen_random_uuid(),
  received_at timestamptz not null default now(),
  message text not null
    constraint client_errors_message_length check (char_length(message) between 1 and 2000),
  stack text
    constraint client_errors_stack_length check (char_length(stack) <= 16000),
  route text
    constraint client_errors_route_length check (char_length(route) <= 500),
  user_agent text
    constraint client_errors_user_agent_length check (char_length(user_agent) <= 1000),
  app_version text
    constraint client_errors_app_version_length check (char_length(app_version) <= 100),
  primary key (received_at, id)
) partition by range (received_at);
comment on table telemetry.client_errors is 'One uncaught client error per row; monthly partitions.';

