-- Why: the extensions the product relies on, enabled where the server has them. Each is
-- detected, never required: a customer's own Postgres or a hosted one may lack some, and
-- the schema must still apply. pgvector and Citus are used when present (pgvector gives
-- AI categorization its index; Citus shards by workspace_id). pgTAP is enabled by the
-- test runner only.
do $$
declare
  v_ext text;
begin
  foreach v_ext in array array[
    'pgcrypto', 'citext', 'pg_trgm', 'btree_gin', 'pg_stat_statements', 'pgaudit',
    'hypopg', 'pgstattuple', 'amcheck', 'vector'
  ] loop
    if exists (select 1 from pg_available_extensions where name = v_ext) then
      begin
        execute format('create extension if not exists %I with schema extensions', v_ext);
      exception when others then
        -- e.g. pgaudit without shared_preload_libraries: the product works without it.
        raise notice 'extension % not enabled: %', v_ext, sqlerrm;
      end;
    end if;
  end loop;

  -- pg_partman keeps its own schema, as its documentation recommends.
  if exists (select 1 from pg_available_extensions where name = 'pg_partman') then
    create schema if not exists partman;
    create extension if not exists pg_partman with schema partman;
  end if;

  -- pg_cron can only live in the database named by cron.database_name.
  if exists (select 1 from pg_available_extensions where name = 'pg_cron')
     and current_setting('cron.database_name', true) = current_database() then
    create extension if not exists pg_cron;
  end if;
end
$$;

-- Extension objects resolve without qualification, as on hosted Supabase.
do $$
begin
  execute format('alter database %I set search_path = "$user", public, extensions', current_database());
end
$$;
