-- Why: issue 5's retries, dead letters and backpressure, and recovery from a killed worker.
--
-- * Dead letters are graphile-worker jobs that exhausted their attempts (attempts >=
--   max_attempts, not locked): graphile-worker keeps them, we list, replay and discard them
--   (lib/jobs/dead-letters.ts) and count them (private.job_queue_stats, GET /metrics).
-- * private.evaluate_dead_letter_alerts(): the in-database twin of the Prometheus rule in
--   infra/alerts/jobs.yml. Each call (cron, every minute) samples the dead-letter count per
--   task; a count above the previous sample opens an alert, a count back at or below the
--   level before it grew resolves it (docs/adr/0009-jobs-metrics-and-alerts.md).
-- * private.queue_classes: ready-queue depth per worker class (critical, webhooks,
--   background), measured by the worker every few seconds together with the per-task depth
--   in private.queue_pressure (which private.emit_event reads to shed or delay non-critical
--   work); the gateway answers bulk API calls 503 + Retry-After while `critical` is over
--   its limit.
-- * private.worker_heartbeats + private.recover_stale_jobs(): graphile-worker 0.18 only
--   frees the locks of a dead worker after a hard-coded 4 hours. Each worker process writes
--   a heartbeat naming its pools; any live worker unlocks the jobs of pools whose heartbeat
--   is older than WORKER_LOCK_TIMEOUT_MS (force_unlock_workers), so a job of a process
--   killed with SIGKILL runs again within seconds, not hours.

create table private.queue_classes (
  name text primary key,
  depth bigint not null default 0,
  depth_limit bigint not null,
  retry_after_seconds integer not null default 30,
  measured_at timestamptz
);
comment on table private.queue_classes is
  'Ready jobs per worker class (each class is a graphile-worker runner with its own concurrency), measured by the worker; the gateway sheds bulk API calls while critical is over depth_limit.';

insert into private.queue_classes (name, depth_limit, retry_after_seconds) values
  ('critical', 5000, 30),
  ('webhooks', 20000, 60),
  ('background', 10000, 60);

-- Called by the worker every few seconds. p_class_of maps each task the worker runs to its
-- class; jobs of tasks it does not run (not implemented yet) count nowhere.
create function private.record_queue_pressure(p_class_of jsonb) returns void
  language sql volatile
  set search_path = ''
as $$
  with ready as (
    select t.identifier, count(*) as depth
    from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    where j.is_available and j.run_at <= now()
    group by t.identifier
  ), tasks as (
    update private.queue_pressure q
    set depth = coalesce((select r.depth from ready r where r.identifier = q.task_identifier), 0),
        measured_at = now()
  )
  -- (a data-modifying WITH runs whether or not the outer statement reads it)
  update private.queue_classes c
  set depth = coalesce((select sum(r.depth) from ready r where p_class_of ->> r.identifier = c.name), 0),
      measured_at = now()
$$;
comment on function private.record_queue_pressure(jsonb) is
  'Stores the ready-queue depth per task (private.queue_pressure) and per worker class (private.queue_classes).';
revoke execute on function private.record_queue_pressure(jsonb) from public;

-- Per task: ready (runnable now), scheduled (later), running (locked), dead (attempts
-- exhausted), and the age of the oldest ready job. For metrics and the jobs CLI. Every
-- task graphile-worker knows is listed, with zeros when it has no jobs, so a metric
-- series drops to 0 instead of vanishing when the last dead letter is discarded.
create function private.job_queue_stats()
  returns table (task_identifier text, ready bigint, scheduled bigint, running bigint, dead bigint, oldest_ready_seconds double precision)
  language sql stable
  set search_path = ''
as $$
  select t.identifier,
         count(*) filter (where j.is_available and j.run_at <= now()),
         count(*) filter (where j.is_available and j.run_at > now()),
         count(*) filter (where j.locked_at is not null),
         count(*) filter (where j.locked_at is null and j.attempts >= j.max_attempts),
         coalesce(extract(epoch from now() - min(j.run_at) filter (where j.is_available and j.run_at <= now())), 0)::double precision
  from graphile_worker._private_tasks t
  left join graphile_worker._private_jobs j on j.task_id = t.id
  group by t.identifier
  order by t.identifier
$$;
revoke execute on function private.job_queue_stats() from public;

create table private.dead_letter_samples (
  task_identifier text primary key,
  dead bigint not null,
  sampled_at timestamptz not null default now()
);
comment on table private.dead_letter_samples is 'The dead-letter count per task at the last alert evaluation.';

create table private.dead_letter_alerts (
  id bigint generated always as identity primary key,
  task_identifier text not null,
  baseline bigint not null,
  dead bigint not null,
  fired_at timestamptz not null default now(),
  resolved_at timestamptz
);
comment on table private.dead_letter_alerts is
  'Alert "dead letters growing" per task: fired when the count rose above the previous sample (baseline), resolved once it is back at or below the baseline.';
comment on column private.dead_letter_alerts.baseline is 'The dead-letter count before it grew.';
create unique index dead_letter_alerts_one_open_idx on private.dead_letter_alerts (task_identifier) where resolved_at is null;

create function private.evaluate_dead_letter_alerts()
  returns table (task_identifier text, state text, dead bigint, baseline bigint)
  language plpgsql volatile
  set search_path = ''
as $$
#variable_conflict use_column
declare
  r record;
begin
  -- One evaluator at a time (cron may overlap with a manual run).
  perform pg_advisory_xact_lock(hashtext('private.evaluate_dead_letter_alerts'));
  for r in
    with now_dead as (
      select s.task_identifier, s.dead from private.job_queue_stats() s
    )
    select coalesce(n.task_identifier, p.task_identifier, a.task_identifier) as task,
           coalesce(n.dead, 0) as dead_now,
           p.dead as dead_before,
           a.id as alert_id, a.baseline as alert_baseline
    from now_dead n
    full join private.dead_letter_samples p on p.task_identifier = n.task_identifier
    full join (select * from private.dead_letter_alerts where resolved_at is null) a
      on a.task_identifier = coalesce(n.task_identifier, p.task_identifier)
  loop
    if r.alert_id is null and r.dead_now > coalesce(r.dead_before, 0) then
      insert into private.dead_letter_alerts (task_identifier, baseline, dead)
      values (r.task, coalesce(r.dead_before, 0), r.dead_now);
      task_identifier := r.task; state := 'firing'; dead := r.dead_now; baseline := coalesce(r.dead_before, 0);
      return next;
    elsif r.alert_id is not null and r.dead_now <= r.alert_baseline then
      update private.dead_letter_alerts set resolved_at = now(), dead = r.dead_now where id = r.alert_id;
      task_identifier := r.task; state := 'resolved'; dead := r.dead_now; baseline := r.alert_baseline;
      return next;
    elsif r.alert_id is not null then
      update private.dead_letter_alerts set dead = r.dead_now where id = r.alert_id;
    end if;
    if r.task is not null then
      insert into private.dead_letter_samples as s (task_identifier, dead, sampled_at)
      values (r.task, r.dead_now, now())
      on conflict (task_identifier) do update set dead = excluded.dead, sampled_at = excluded.sampled_at;
    end if;
  end loop;
end
$$;
comment on function private.evaluate_dead_letter_alerts() is
  'Samples dead letters per task, opens an alert when a count grew since the previous sample and resolves it once the count is back at its baseline; returns the alerts that changed state.';
revoke execute on function private.evaluate_dead_letter_alerts() from public;

create table private.worker_heartbeats (
  process_id text primary key,
  pool_ids text[] not null,
  host text not null,
  pid integer not null,
  started_at timestamptz not null default now(),
  seen_at timestamptz not null default now()
);
comment on table private.worker_heartbeats is
  'One row per running worker process, refreshed every few seconds: the graphile-worker pools (locked_by values) it owns.';

-- Frees the jobs of workers that stopped beating for longer than p_timeout, and of pools
-- nobody claims whose lock is older than p_timeout (a process that died before its first
-- heartbeat). Returns how many jobs it unlocked.
create function private.recover_stale_jobs(p_timeout interval) returns integer
  language plpgsql volatile
  set search_path = ''
as $$
declare
  v_dead text[];
  v_count integer;
begin
  with gone as (
    delete from private.worker_heartbeats h where h.seen_at < now() - p_timeout returning h.pool_ids
  )
  select coalesce(array_agg(distinct p), '{}') into v_dead from gone, unnest(gone.pool_ids) p;

  select coalesce(array_agg(distinct j.locked_by), '{}') || v_dead into v_dead
  from graphile_worker._private_jobs j
  where j.locked_at < now() - p_timeout
    and not exists (select 1 from private.worker_heartbeats h where j.locked_by = any (h.pool_ids));

  if cardinality(v_dead) = 0 then
    return 0;
  end if;
  select count(*) into v_count from graphile_worker._private_jobs j where j.locked_by = any (v_dead);
  perform graphile_worker.force_unlock_workers(v_dead);
  return v_count;
end
$$;
comment on function private.recover_stale_jobs(interval) is
  'Unlocks the jobs of worker pools whose process stopped sending heartbeats (killed, frozen, lost its host) for longer than p_timeout.';
revoke execute on function private.recover_stale_jobs(interval) from public;

-- Replay and discard act on dead letters only: a job still retrying or running is left alone.
create function private.replay_dead_jobs(p_ids bigint[]) returns setof bigint
  language sql volatile
  set search_path = ''
as $$
  select r.id from graphile_worker.reschedule_jobs(
    array(select j.id from graphile_worker._private_jobs j
          where j.id = any (p_ids) and j.locked_at is null and j.attempts >= j.max_attempts),
    run_at => now(), attempts => 0) r
$$;
revoke execute on function private.replay_dead_jobs(bigint[]) from public;

create function private.discard_dead_jobs(p_ids bigint[]) returns setof bigint
  language sql volatile
  set search_path = ''
as $$
  select r.id from graphile_worker.complete_jobs(
    array(select j.id from graphile_worker._private_jobs j
          where j.id = any (p_ids) and j.locked_at is null and j.attempts >= j.max_attempts)) r
$$;
revoke execute on function private.discard_dead_jobs(bigint[]) from public;
