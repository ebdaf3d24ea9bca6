-- Job-queue reliability SQL (supabase/migrations/20261123221700_jobs-reliability.sql):
-- recovery of dead workers' jobs never touches a live worker's job however long it runs;
-- replay and discard act on dead letters only; queue depth lands per task and per class.
begin;
select plan(14);

select is_empty($$
  select r.rolname || ' ' || p.oid::regprocedure::text from pg_proc p
  cross join (values ('anon'), ('authenticated'), ('service_role')) r(rolname)
  where p.pronamespace = 'private'::regnamespace
    and p.proname in ('record_queue_pressure', 'job_queue_stats', 'evaluate_dead_letter_alerts',
                      'recover_stale_jobs', 'replay_dead_jobs', 'discard_dead_jobs')
    and has_function_privilege(r.rolname, p.oid, 'execute')
$$, 'the queue functions are for the owner (worker, gateway service pool, CLI) only');

-- Four locked jobs: a live worker's long job, a dead worker's, and two of pools nobody claims.
create temp table j as
select name, (graphile_worker.add_job('pgtap__recover', json_build_object('n', name))).id
from (values ('live'), ('dead'), ('orphan_old'), ('orphan_new')) v(name);

insert into private.worker_heartbeats (process_id, pool_ids, host, pid, seen_at) values
  ('pgtap-live', '{pool-live}', 'h', 1, now()),
  ('pgtap-dead', '{pool-dead}', 'h', 2, now() - interval '10 minutes');

update graphile_worker._private_jobs p set
  locked_at = now() - case j.name when 'orphan_new' then interval '10 seconds' else interval '3 hours' end,
  locked_by = case j.name when 'live' then 'pool-live' when 'dead' then 'pool-dead'
                          when 'orphan_old' then 'pool-orphan-old' else 'pool-orphan-new' end,
  attempts = 1
from j where p.id = j.id;

select is(private.recover_stale_jobs(interval '2 minutes'), 2, 'two jobs unlocked');
select is(
  (select array_agg(j.name order by j.name) from j join graphile_worker._private_jobs p using (id) where p.locked_by is null),
  array['dead', 'orphan_old'],
  'the dead worker''s job and the old unclaimed lock are free again'
);
select is(
  (select locked_by from graphile_worker._private_jobs where id = (select id from j where name = 'live')),
  'pool-live',
  'a live worker keeps its job, however long it has run'
);
select is(
  (select locked_by from graphile_worker._private_jobs where id = (select id from j where name = 'orphan_new')),
  'pool-orphan-new',
  'a lock younger than the timeout is left alone (its worker may not have beaten yet)'
);
select is(
  (select count(*)::int from private.worker_heartbeats where process_id = 'pgtap-dead'), 0,
  'the dead worker''s heartbeat row is removed'
);
select ok(
  (select is_available from graphile_worker._private_jobs where id = (select id from j where name = 'dead')),
  'the freed job is available to any worker, its attempt counted'
);
select is(private.recover_stale_jobs(interval '2 minutes'), 0, 'a second pass finds nothing');

-- Dead letters: only jobs out of attempts are replayed or discarded.
create temp table d as
select name, (graphile_worker.add_job('pgtap__dead', '{}'::json, max_attempts => 2)).id
from (values ('dead1'), ('dead2'), ('retrying')) v(name);
update graphile_worker._private_jobs p set attempts = case d.name when 'retrying' then 1 else 2 end,
  last_error = 'boom', run_at = now() + interval '1 hour'
from d where p.id = d.id;

select is(
  (select array_agg(x order by x) from private.replay_dead_jobs((select array_agg(id) from d where name in ('dead1', 'retrying'))) x),
  (select array_agg(id) from d where name = 'dead1'),
  'replay takes the dead letter, skips the retrying job'
);
select ok(
  (select attempts = 0 and run_at <= now() and is_available from graphile_worker._private_jobs where id = (select id from d where name = 'dead1')),
  'a replayed job has its attempts reset and runs now'
);
select is(
  (select array_agg(x) from private.discard_dead_jobs((select array_agg(id) from d)) x),
  (select array_agg(id) from d where name = 'dead2'),
  'discard deletes only what is still dead'
);
select is(
  (select count(*)::int from graphile_worker._private_jobs where id in (select id from d)), 2,
  'the replayed and the retrying jobs remain'
);

-- Depth: ready jobs per task and per class (tasks the worker does not run count nowhere).
update private.queue_classes set depth = 0;
select private.record_queue_pressure('{"pgtap__dead": "background"}'::jsonb);
select is(
  (select depth from private.queue_classes where name = 'background'), 1::bigint,
  'the replayed job is ready in its class; the retrying one waits for its run_at'
);
select is(
  (select array[ready, running, dead] from private.job_queue_stats() where task_identifier = 'pgtap__recover'),
  array[2, 2, 0]::bigint[],
  'per task: the two freed jobs are ready, the two still locked are running'
);

select * from finish();
rollback;
