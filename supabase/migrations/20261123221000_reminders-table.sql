-- Why: issue 5's reminders. A task can carry several reminders (at its due time, N minutes /
-- hours / days before it, or at an absolute instant), each delivered by one graphile-worker
-- job keyed `reminder:<id>` whose run_at is the instant it fires. Triggers on the reminders
-- AND on the tasks keep that job true in the writer's transaction: a new reminder schedules
-- it, editing the due date replaces it (same job_key, new run_at), completing or trashing
-- the task removes it, reopening or restoring schedules it again, purging cascades. The
-- worker task reminders__fire re-checks everything (private.fire_reminder) and notifies once.
--
-- Instants follow docs/recurrence.md: the wall clock in the task's zone (due_tz, UTC when
-- unset, like due_at), a nonexistent local time read with the offset before the gap, a
-- repeated one as its first occurrence (RFC 5545). "1 day before" keeps the wall clock
-- (09:00 the day before, even across a DST change); minutes and hours are elapsed time.
-- All-day tasks have no time: their reminders are relative to 09:00 local on the due day.

create table public.task_reminders (
  workspace_id uuid not null,
  id uuid not null default gen_random_uuid(),
  task_id uuid not null,
  kind text not null
    constraint task_reminders_kind_valid check (kind in ('at_due', 'before_due', 'absolute')),
  offset_amount integer,
  offset_unit text
    constraint task_reminders_offset_unit_valid check (offset_unit in ('minutes', 'hours', 'days')),
  remind_at timestamptz,
  created_by uuid default auth.uid() references identity.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, task_id) references public.tasks (workspace_id, id) on delete cascade,
  constraint task_reminders_offset_range check (
    offset_amount is null
    or (offset_unit = 'minutes' and offset_amount between 1 and 10080)
    or (offset_unit = 'hours' and offset_amount between 1 and 720)
    or (offset_unit = 'days' and offset_amount between 1 and 365)
  ),
  constraint task_reminders_shape check (
    (kind = 'at_due' and offset_amount is null and offset_unit is null and remind_at is null)
    or (kind = 'before_due' and offset_amount is not null and offset_unit is not null and remind_at is null)
    or (kind = 'absolute' and remind_at is not null and offset_amount is null and offset_unit is null)
  )
);
comment on table public.task_reminders is
  'Reminders on a task: at its due time, some minutes/hours/days before it, or at an absolute instant. Each fires once as a notification to whoever set it.';
comment on column public.task_reminders.kind is 'at_due, before_due (with offset_amount and offset_unit) or absolute (with remind_at).';
comment on column public.task_reminders.offset_amount is 'For before_due: how many offset_units before the due time (minutes ≤ 10080, hours ≤ 720, days ≤ 365).';
comment on column public.task_reminders.offset_unit is 'For before_due: minutes, hours (elapsed time) or days (same wall-clock time N days earlier).';
comment on column public.task_reminders.remind_at is 'For absolute: the instant to remind at.';
comment on column public.task_reminders.created_by is 'Who set the reminder; they are the one notified.';

create index task_reminders_task_idx on public.task_reminders (workspace_id, task_id);
create index task_reminders_created_by_idx on public.task_reminders (created_by);
alter table public.task_reminders enable row level security;

create trigger _100_timestamps before insert or update on public.task_reminders
  for each row execute function private.tg__timestamps();

-- The instant a local date and time denote in a zone, RFC 5545 style: a repeated time is
-- its first occurrence, a nonexistent one is read with the offset before the gap (which is
-- what `at time zone` already does for gaps; for repeated times it picks the second).
create function private.local_to_instant(p_date date, p_time time, p_tz text) returns timestamptz
  language plpgsql stable
  set search_path = ''
as $$
declare
  v_local timestamp := p_date + p_time;
  v_pg timestamptz := (p_date + p_time) at time zone p_tz;
  v_probe timestamptz;
  v_candidate timestamptz;
  v_best timestamptz;
begin
  -- A zone changes offset at most once around one day: its offsets a day either side are
  -- the only candidates; keep those that show this wall clock, take the earliest.
  foreach v_probe in array array[v_pg - interval '1 day', v_pg + interval '1 day'] loop
    v_candidate := (v_local - ((v_probe at time zone p_tz) - (v_probe at time zone 'UTC'))) at time zone 'UTC';
    if (v_candidate at time zone p_tz) = v_local and (v_best is null or v_candidate < v_best) then
      v_best := v_candidate;
    end if;
  end loop;
  return coalesce(v_best, v_pg);
end
$$;
comment on function private.local_to_instant(date, time, text) is
  'The instant of a local date and time in a zone: first of a repeated time, offset before the gap for a nonexistent one (RFC 5545).';

-- When a reminder fires for a task due at (date, time, zone); null when it cannot (no due date).
create function private.reminder_fire_at(
  p_kind text, p_amount integer, p_unit text, p_remind_at timestamptz,
  p_due_date date, p_due_time time, p_due_tz text
) returns timestamptz
  language sql stable
  set search_path = ''
as $$
  select case
    when p_kind = 'absolute' then p_remind_at
    when p_due_date is null then null
    when p_kind = 'at_due' then
      private.local_to_instant(p_due_date, coalesce(p_due_time, time '09:00'), coalesce(p_due_tz, 'UTC'))
    when p_unit = 'days' then
      private.local_to_instant(p_due_date - p_amount, coalesce(p_due_time, time '09:00'), coalesce(p_due_tz, 'UTC'))
    else
      private.local_to_instant(p_due_date, coalesce(p_due_time, time '09:00'), coalesce(p_due_tz, 'UTC'))
        - make_interval(mins => p_amount * case p_unit when 'hours' then 60 else 1 end)
  end
$$;
comment on function private.reminder_fire_at(text, integer, text, timestamptz, date, time, text) is
  'The instant a reminder fires for a task due on (date, time, zone); all-day tasks count from 09:00 local.';

-- The instant a reminder fires now, or null when it should not fire at all (task done,
-- trashed or gone, no due date).
create function private.reminder_instant(p_workspace_id uuid, p_reminder_id uuid) returns timestamptz
  language sql stable
  set search_path = ''
as $$
  select private.reminder_fire_at(r.kind, r.offset_amount, r.offset_unit, r.remind_at,
                                  t.due_date, t.due_time, t.due_tz)
  from public.task_reminders r
  join public.tasks t on t.workspace_id = r.workspace_id and t.id = r.task_id
  where r.workspace_id = p_workspace_id and r.id = p_reminder_id
    and t.status = 'open' and t.deleted_at is null
$$;
comment on function private.reminder_instant(uuid, uuid) is
  'When a reminder should fire, or null when it should not (task completed, trashed or purged; no due date).';

-- Makes the reminder's job match the reminder: one job keyed reminder:<id> at the instant it
-- fires (replaced when that changes), or none. Instants already past are not scheduled: a
-- reminder is about the future, and a late one after an edit would only be noise.
create function private.schedule_reminder(p_workspace_id uuid, p_reminder_id uuid) returns timestamptz
  language plpgsql volatile security definer
  set search_path = ''
as $$
declare
  v_at timestamptz := private.reminder_instant(p_workspace_id, p_reminder_id);
begin
  if v_at is null or v_at <= now() then
    perform graphile_worker.remove_job('reminder:' || p_reminder_id);
    return null;
  end if;
  perform graphile_worker.add_job(
    'reminders__fire',
    json_build_object('workspace_id', p_workspace_id, 'reminder_id', p_reminder_id, 'fire_at', v_at),
    run_at => v_at,
    max_attempts => 5,
    job_key => 'reminder:' || p_reminder_id,
    job_key_mode => 'replace'
  );
  return v_at;
end
$$;
comment on function private.schedule_reminder(uuid, uuid) is
  'Schedules (or replaces, or removes) the reminders__fire job keyed reminder:<id>; returns the instant or null.';
revoke execute on function private.schedule_reminder(uuid, uuid) from public;

create function private.tg_task_reminders__schedule() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    perform graphile_worker.remove_job('reminder:' || old.id);
  else
    perform private.schedule_reminder(new.workspace_id, new.id);
  end if;
  return null;
end
$$;

create trigger _500_schedule after insert or update or delete on public.task_reminders
  for each row execute function private.tg_task_reminders__schedule();

-- A task's due date, time or zone, its status or its trash state decide when (and whether)
-- its reminders fire. Purging cascades to the reminders, whose own trigger removes the jobs.
create function private.tg_tasks__reschedule_reminders() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
declare
  v_id uuid;
begin
  for v_id in
    select r.id from public.task_reminders r where r.workspace_id = new.workspace_id and r.task_id = new.id
  loop
    perform private.schedule_reminder(new.workspace_id, v_id);
  end loop;
  return null;
end
$$;

create trigger _500_reschedule_reminders after update of due_date, due_time, due_tz, status, deleted_at
  on public.tasks
  for each row
  when (old.due_date is distinct from new.due_date or old.due_time is distinct from new.due_time
        or old.due_tz is distinct from new.due_tz or old.status is distinct from new.status
        or old.deleted_at is distinct from new.deleted_at)
  execute function private.tg_tasks__reschedule_reminders();

-- What reminders__fire does, in one transaction: re-read the reminder and its task; do
-- nothing when they are gone, done, trashed, or the instant has moved (a newer job is queued
-- for the new one); else notify whoever set the reminder (or, if they left, the task's
-- creator), if still a member. Idempotent: private.notify dedupes on reminder:<id>:<instant>.
create function private.fire_reminder(p_workspace_id uuid, p_reminder_id uuid, p_fire_at timestamptz)
  returns text
  language plpgsql volatile security definer
  set search_path = ''
as $$
declare
  v_at timestamptz := private.reminder_instant(p_workspace_id, p_reminder_id);
  v_task record;
  v_user uuid;
begin
  if v_at is null then return 'stale: reminder, task or due date gone, or task done'; end if;
  if v_at <> p_fire_at then return 'stale: the instant moved'; end if;
  select t.id, t.title, t.due_at, t.due_date, t.due_time, t.due_tz, coalesce(r.created_by, t.created_by) as user_id
    into v_task
  from public.task_reminders r
  join public.tasks t on t.workspace_id = r.workspace_id and t.id = r.task_id
  where r.workspace_id = p_workspace_id and r.id = p_reminder_id;
  v_user := v_task.user_id;
  if v_user is null or not exists (
    select 1 from public.workspace_members m where m.workspace_id = p_workspace_id and m.user_id = v_user
  ) then
    return 'skipped: nobody to notify';
  end if;
  perform private.notify(
    v_user, 'reminder',
    'reminder:' || p_reminder_id || ':' || extract(epoch from p_fire_at)::bigint,
    left('Reminder: ' || v_task.title, 300),
    case when v_task.due_date is null then ''
         else 'Due ' || v_task.due_date::text || coalesce(' ' || to_char(v_task.due_time, 'HH24:MI'), '')
              || coalesce(' (' || v_task.due_tz || ')', '') end,
    '/app/tasks/' || v_task.id,
    p_workspace_id,
    v_task.id,
    jsonb_build_object('reminder_id', p_reminder_id, 'fire_at', p_fire_at, 'due_at', v_task.due_at)
  );
  return 'notified';
end
$$;
comment on function private.fire_reminder(uuid, uuid, timestamptz) is
  'Fires a reminder if it is still due at p_fire_at: notifies its owner once (dedupe reminder:<id>:<epoch>). Returns what happened.';
revoke execute on function private.fire_reminder(uuid, uuid, timestamptz) from public;
