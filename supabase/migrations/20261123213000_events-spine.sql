-- Why: issue 5's event spine. Every change that other parts of the product react to
-- (notifications, outgoing webhooks, analytics; later search/AI enrichment) is
-- recorded by a trigger as a domain event, in the same transaction as the change, with a
-- per-workspace increasing sequence number; and each event fans out to its consumers as
-- graphile-worker jobs in that same transaction. A rolled-back change therefore records and
-- enqueues nothing, and a committed one is never lost (no dual write, no outbox relay).
--
-- * events.log: append-only, monthly partitions (db/partitions/events.sql) in a schema of
--   its own so the partitions never show up in the generated APIs; members read their
--   workspace's events through the view public.events (an activity feed and a sync
--   cursor: `seq`). Written only by private.emit_event (security definer). Events carry ids and the names of changed
--   columns, never row contents: consumers re-read the rows, so nothing RLS would hide
--   leaks through an event.
-- * private.event_consumers: which job each event type fans out to, with its attempts,
--   priority and whether it is critical. Non-critical consumers (analytics) are
--   delayed or shed when their queue is deeper than its limit (private.queue_pressure,
--   refreshed by the worker), so a backlog never grows without bound.
-- * The graphile_worker schema is installed by the migration runner before any
--   migration (lib/db/migrate.ts), so add_job exists here.

create table private.workspace_event_counters (
  workspace_id uuid primary key references public.workspaces (id) on delete cascade,
  last_seq bigint not null default 0
);
comment on table private.workspace_event_counters is
  'Last event sequence number per workspace. The row lock taken to advance it orders a workspace''s events in commit order.';

create schema events;
comment on schema events is 'The domain event log (events.log) and its monthly partitions; read through public.events.';
grant usage on schema events to authenticated, service_role;

create table events.log (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  seq bigint not null,
  id uuid not null default gen_random_uuid(),
  type text not null
    constraint events_type_format check (type ~ '^[a-z]+\.[a-z_]+$' and char_length(type) <= 60),
  subject_id uuid not null,
  actor_id uuid,
  changes text[]
    constraint events_changes_size check (cardinality(changes) <= 64),
  occurred_at timestamptz not null default now(),
  primary key (occurred_at, id)
) partition by range (occurred_at);
comment on table events.log is
  'Domain events (task.created, task.completed, project.updated, member.added, …) per workspace, in sequence order. Ids and changed column names only; monthly partitions.';
comment on column events.log.seq is 'Increases by one per event within a workspace: a cursor for "what happened since".';
comment on column events.log.changes is 'For *.updated: the names of the columns that changed.';
comment on column events.log.actor_id is 'The user whose request caused the event (auth.uid()), null for system changes.';

create index log_workspace_seq_idx on events.log (workspace_id, seq);
create index log_id_idx on events.log (id);

-- security_invoker: the reader's own rights and the log's RLS policy apply.
create view public.events with (security_invoker = true) as
  select workspace_id, seq, id, type, subject_id, actor_id, changes, occurred_at
  from events.log;
comment on view public.events is
  'The domain events of the workspaces you belong to, in sequence order per workspace (ids and changed column names only).';

create table private.event_consumers (
  task_identifier text primary key
    constraint event_consumers_task_format check (task_identifier ~ '^[a-z_]+__[a-z_]+$'),
  event_types text[] not null,
  critical boolean not null default true,
  max_attempts smallint not null default 25
    constraint event_consumers_attempts_range check (max_attempts between 1 and 100),
  priority smallint not null default 0,
  description text not null
);
comment on table private.event_consumers is
  'Which worker task each event type fans out to (one job per consumer per event). event_types entries are exact types or "<entity>.*".';

create table private.queue_pressure (
  task_identifier text primary key,
  depth bigint not null default 0,
  depth_limit bigint not null
    constraint queue_pressure_limit_positive check (depth_limit > 0),
  on_pressure text not null default 'delay'
    constraint queue_pressure_action_valid check (on_pressure in ('delay', 'shed')),
  delay interval not null default interval '5 minutes',
  measured_at timestamptz
);
comment on table private.queue_pressure is
  'Queue depth per task identifier (ready jobs), measured by the worker, and the limit above which producers of non-critical work delay or shed it.';

create sequence private.events_shed_total;
comment on sequence private.events_shed_total is
  'Non-critical jobs not enqueued because their queue was over its limit (a counter: nextval never blocks a writer).';

insert into private.event_consumers (task_identifier, event_types, critical, max_attempts, priority, description) values
  ('events__notify', '{task.*,project.*,member.*}', true, 10, 0,
   'In-app and email notifications for the people an event concerns.'),
  ('events__webhooks', '{task.*,project.*,member.*}', true, 5, 0,
   'Fans an event out to the workspace''s webhook endpoints (one delivery job each).'),
  ('events__analytics', '{task.*,project.*,member.*}', false, 3, 10,
   'Product analytics counters; may be delayed or shed under load.');

insert into private.queue_pressure (task_identifier, depth_limit, on_pressure, delay) values
  ('events__analytics', 10000, 'shed', interval '0');

-- Records one event and enqueues one job per interested consumer, all in the caller's
-- transaction. Security definer: the caller needs no rights on the queue or the events
-- table. Nobody but the owner may execute it; the trigger functions below are security
-- definer too (a trigger function cannot be called directly), so the only way to add an
-- event is to make the change it records.
create function private.emit_event(
  p_workspace_id uuid,
  p_type text,
  p_subject_id uuid,
  p_changes text[] default null
) returns uuid
  language plpgsql volatile security definer
  set search_path = ''
as $$
declare
  v_seq bigint;
  v_id uuid := gen_random_uuid();
  v_entity text := split_part(p_type, '.', 1) || '.*';
  v_consumer record;
  v_run_at timestamptz;
begin
  -- A workspace being deleted cascades to its rows; their events would outlive it.
  if not exists (select 1 from public.workspaces w where w.id = p_workspace_id) then
    return null;
  end if;
  insert into private.workspace_event_counters as c (workspace_id, last_seq)
  values (p_workspace_id, 1)
  on conflict (workspace_id) do update set last_seq = c.last_seq + 1
  returning c.last_seq into v_seq;

  insert into events.log (workspace_id, seq, id, type, subject_id, actor_id, changes)
  values (p_workspace_id, v_seq, v_id, p_type, p_subject_id, auth.uid(), p_changes);

  for v_consumer in
    select c.task_identifier, c.critical, c.max_attempts, c.priority,
           q.depth > q.depth_limit as over_limit, q.on_pressure, q.delay
    from private.event_consumers c
    left join private.queue_pressure q using (task_identifier)
    where p_type = any (c.event_types) or v_entity = any (c.event_types)
    order by c.task_identifier
  loop
    v_run_at := null;
    if not v_consumer.critical and coalesce(v_consumer.over_limit, false) then
      if v_consumer.on_pressure = 'shed' then
        perform nextval('private.events_shed_total');
        continue;
      end if;
      v_run_at := now() + v_consumer.delay;
    end if;
    perform graphile_worker.add_job(
      v_consumer.task_identifier,
      json_build_object('workspace_id', p_workspace_id, 'seq', v_seq, 'event_id', v_id),
      run_at => v_run_at,
      max_attempts => v_consumer.max_attempts,
      priority => v_consumer.priority
    );
  end loop;
  return v_id;
end
$$;
comment on function private.emit_event(uuid, text, uuid, text[]) is
  'Records a domain event with the workspace''s next sequence number and enqueues one job per consumer (private.event_consumers), in the caller''s transaction. Null (nothing recorded) when the workspace is being deleted.';
revoke execute on function private.emit_event(uuid, text, uuid, text[]) from public;

-- The columns whose change makes a row "updated"; bookkeeping columns are left out.
create function private.changed_columns(p_old jsonb, p_new jsonb, p_ignore text[]) returns text[]
  language sql immutable
  set search_path = ''
as $$
  select coalesce(array_agg(n.key order by n.key), '{}')
  from jsonb_each(p_new) n
  where n.value is distinct from p_old -> n.key
    and not n.key = any (p_ignore)
$$;

create function private.tg_tasks__emit_event() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
declare
  v_changes text[];
begin
  if tg_op = 'INSERT' then
    perform private.emit_event(new.workspace_id, 'task.created', new.id);
  elsif tg_op = 'DELETE' then
    perform private.emit_event(old.workspace_id, 'task.purged', old.id);
  elsif old.deleted_at is null and new.deleted_at is not null then
    perform private.emit_event(new.workspace_id, 'task.deleted', new.id);
  elsif old.deleted_at is not null and new.deleted_at is null then
    perform private.emit_event(new.workspace_id, 'task.restored', new.id);
  elsif old.status = 'open' and new.status = 'completed' then
    perform private.emit_event(new.workspace_id, 'task.completed', new.id);
  elsif old.status = 'completed' and new.status = 'open' then
    perform private.emit_event(new.workspace_id, 'task.reopened', new.id);
  else
    v_changes := private.changed_columns(to_jsonb(old), to_jsonb(new),
                                         '{updated_at,due_at,completed_at}');
    if cardinality(v_changes) > 0 then
      perform private.emit_event(new.workspace_id, 'task.updated', new.id, v_changes);
    end if;
  end if;
  return null;
end
$$;

create trigger _800_emit_event after insert or update or delete on public.tasks
  for each row execute function private.tg_tasks__emit_event();

-- A label added to or removed from a task is an update of that task. When the task itself
-- is being deleted (cascade), its task.purged event says enough.
create function private.tg_task_labels__emit_event() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
declare
  v_row record;
begin
  if tg_op = 'INSERT' then v_row := new; else v_row := old; end if;
  if exists (select 1 from public.tasks t where t.workspace_id = v_row.workspace_id and t.id = v_row.task_id) then
    perform private.emit_event(v_row.workspace_id, 'task.updated', v_row.task_id, '{labels}');
  end if;
  return null;
end
$$;

create trigger _800_emit_event after insert or delete on public.task_labels
  for each row execute function private.tg_task_labels__emit_event();

create function private.tg_projects__emit_event() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
declare
  v_changes text[];
begin
  if tg_op = 'INSERT' then
    perform private.emit_event(new.workspace_id, 'project.created', new.id);
  elsif tg_op = 'DELETE' then
    perform private.emit_event(old.workspace_id, 'project.deleted', old.id);
  elsif old.archived_at is null and new.archived_at is not null then
    perform private.emit_event(new.workspace_id, 'project.archived', new.id);
  elsif old.archived_at is not null and new.archived_at is null then
    perform private.emit_event(new.workspace_id, 'project.unarchived', new.id);
  else
    v_changes := private.changed_columns(to_jsonb(old), to_jsonb(new), '{updated_at}');
    if cardinality(v_changes) > 0 then
      perform private.emit_event(new.workspace_id, 'project.updated', new.id, v_changes);
    end if;
  end if;
  return null;
end
$$;

create trigger _800_emit_event after insert or update or delete on public.projects
  for each row execute function private.tg_projects__emit_event();

-- Members: the subject is the user. Deleting a workspace cascades to its members; those
-- rows emit nothing (the workspace and its events are going away).
create function private.tg_workspace_members__emit_event() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.emit_event(new.workspace_id, 'member.added', new.user_id);
  elsif tg_op = 'DELETE' then
    if exists (select 1 from public.workspaces w where w.id = old.workspace_id) then
      perform private.emit_event(old.workspace_id, 'member.removed', old.user_id);
    end if;
  elsif old.role is distinct from new.role then
    perform private.emit_event(new.workspace_id, 'member.role_changed', new.user_id, '{role}');
  end if;
  return null;
end
$$;

create trigger _800_emit_event after insert or update or delete on public.workspace_members
  for each row execute function private.tg_workspace_members__emit_event();

-- Idempotent consumers: a job that must not apply its effect twice records the event it
-- handled here in the same transaction as the effect (insert … on conflict do nothing;
-- nothing inserted = already done). Purged after 30 days by workers/crontab.
create table private.event_receipts (
  consumer text not null,
  event_id uuid not null,
  processed_at timestamptz not null default now(),
  primary key (consumer, event_id)
);
comment on table private.event_receipts is
  'Which consumer has applied which event: makes "run twice = run once" hold for counting consumers.';
create index event_receipts_processed_idx on private.event_receipts (processed_at);

-- Product analytics, fed by events__analytics: counts per workspace, UTC day and metric.
-- Derived data (rebuildable from events.log), never read by the APIs yet.
create schema analytics;
comment on schema analytics is 'Derived product analytics (counters fed by the event spine).';
create table analytics.workspace_daily (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  day date not null,
  metric text not null
    constraint workspace_daily_metric_format check (metric ~ '^[a-z_]{1,60}$'),
  value bigint not null default 0,
  primary key (workspace_id, day, metric)
);
comment on table analytics.workspace_daily is 'Events per workspace, UTC day and metric (tasks_created, tasks_completed, …).';
