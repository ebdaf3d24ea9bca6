-- Every monthly-partitioned table (the telemetry tables, kept 13 months, formerly
-- db/partitions/telemetry_*.sql; the event log events.log, kept 25 months for webhook
-- redelivery and audits; the identity audit log account.audit, 25 months): partitions managed by pg_partman 4.7 (native partitioning).
-- One definition for every table in the list. create_parent is not idempotent, hence the part_config guard;
-- this file is re-applied after every migration run. Without pg_partman a default
-- partition (<table>_default) takes every row, so inserts never fail for want of a
-- partition.
do $$
declare
  spec record;
  parent text;
  parent_schema name;
  parent_name name;
begin
  for spec in
    select * from (values
      ('telemetry.web_vitals', 'received_at', '13 months'),
      ('telemetry.client_errors', 'received_at', '13 months'),
      ('events.log', 'occurred_at', '25 months'),
      ('account.audit', 'occurred_at', '25 months')
    ) as t (parent, control, retention)
  loop
    parent := spec.parent;
    if exists (select 1 from pg_extension where extname = 'pg_partman') then
      if not exists (select 1 from partman.part_config where parent_table = parent) then
        perform partman.create_parent(
          p_parent_table => parent,
          p_control => spec.control,
          p_type => 'native',
          p_interval => 'monthly',
          p_premake => 4
        );
      end if;
      update partman.part_config
      set retention = spec.retention, retention_keep_table = false, infinite_time_partitions = true
      where parent_table = parent
        and (retention is distinct from spec.retention or retention_keep_table or not infinite_time_partitions);
    elsif not exists (select 1 from pg_inherits i where i.inhparent = parent::regclass) then
      -- The names come from the catalog and are quoted by format().
      select n.nspname, c.relname into parent_schema, parent_name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = parent::regclass;
      execute format('create table %I.%I partition of %I.%I default',
                     parent_schema, parent_name || '_default', parent_schema, parent_name);
    end if;
  end loop;
end
$$;
