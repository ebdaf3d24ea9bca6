-- telemetry.web_vitals: monthly partitions managed by pg_partman 4.7 (native partitioning),
-- kept 13 months. create_parent is not idempotent, hence the part_config guard; this file
-- is re-applied after every migration run. Without pg_partman a default partition takes
-- every row, so inserts never fail for want of a partition.
do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_partman') then
    if not exists (select 1 from partman.part_config where parent_table = 'telemetry.web_vitals') then
      perform partman.create_parent(
        p_parent_table => 'telemetry.web_vitals',
        p_control => 'received_at',
        p_type => 'native',
        p_interval => 'monthly',
        p_premake => 4
      );
    end if;
    update partman.part_config
    set retention = '13 months', retention_keep_table = false, infinite_time_partitions = true
    where parent_table = 'telemetry.web_vitals'
      and (retention is distinct from '13 months' or retention_keep_table or not infinite_time_partitions);
  elsif not exists (
    select 1 from pg_inherits i where i.inhparent = 'telemetry.web_vitals'::regclass
  ) then
    create table telemetry.web_vitals_default partition of telemetry.web_vitals default;
  end if;
end
$$;
