-- events.log: monthly partitions managed by pg_partman 4.7 (native partitioning),
-- kept 25 months (webhook redelivery and audits look back; analytics keep their own
-- copies). create_parent is not idempotent, hence the part_config guard; this file is
-- re-applied after every migration run. Without pg_partman a default partition takes
-- every row, so inserts never fail for want of a partition.
do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_partman') then
    if not exists (select 1 from partman.part_config where parent_table = 'events.log') then
      perform partman.create_parent(
        p_parent_table => 'events.log',
        p_control => 'occurred_at',
        p_type => 'native',
        p_interval => 'monthly',
        p_premake => 4
      );
    end if;
    update partman.part_config
    set retention = '25 months', retention_keep_table = false, infinite_time_partitions = true
    where parent_table = 'events.log'
      and (retention is distinct from '25 months' or retention_keep_table or not infinite_time_partitions);
  elsif not exists (
    select 1 from pg_inherits i where i.inhparent = 'events.log'::regclass
  ) then
    create table events.log_default partition of events.log default;
  end if;
end
$$;
