-- Why: pg_partman only creates next month's partitions (and drops expired ones) when its
-- maintenance runs. Where pg_cron lives in this database (the application database; see
-- scripts/pg.sh, cron.database_name), schedule it hourly; cron.schedule with a job name
-- replaces an existing job of that name, so this is safe to re-run. Elsewhere (test
-- databases, a host without pg_cron) the operator runs `call partman.run_maintenance_proc()`
-- from their own scheduler (docs/api.md, "Telemetry"); create_parent makes four months
-- ahead, so a missed run is not an outage.
do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_cron')
     and exists (select 1 from pg_extension where extname = 'pg_partman') then
    perform cron.schedule('partman-maintenance', '7 * * * *', 'call partman.run_maintenance_proc()');
  end if;
end
$$;
