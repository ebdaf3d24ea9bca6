-- Why: the product itself — projects, tasks, labels. Tenant rules by construction: each
-- primary key leads with workspace_id and every foreign key between tenant tables
-- includes it, so a row can never point into another workspace (and Citus can shard by
-- workspace_id without rework). The database refuses bad data with a readable message.

create table public.projects (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text not null
    constraint projects_name_length check (char_length(btrim(name)) between 1 and 120)
    -- btrim() trims only spaces: a name of tabs or no-break spaces must fail too.
    constraint projects_name_not_blank check (name ~ '[^[:space:]\u00a0\u200b\ufeff]'),
  color text not null default 'slate'
    constraint projects_color_valid check (color ~ '^[a-z]{3,20}$|^#[0-9a-fA-F]{6}$'),
  position numeric not null default (extract(epoch from clock_timestamp()) * 1000)
    constraint projects_position_finite check (position between -1e30 and 1e30),
  archived_at timestamptz,
  created_by uuid default auth.uid() references identity.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id)
);
comment on table public.projects is 'A list of tasks inside a workspace (e.g. "Home", "Work").';
comment on column public.projects.color is 'A palette name (e.g. "blue") or a #rrggbb colour.';
comment on column public.projects.position is 'Manual order; a move writes the midpoint of its neighbours.';
comment on column public.projects.archived_at is 'Archived projects are hidden from lists but keep their tasks.';

create trigger _100_timestamps before insert or update on public.projects
  for each row execute function private.tg__timestamps();

create table public.tasks (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  project_id uuid,
  title text not null
    constraint tasks_title_length check (char_length(btrim(title)) between 1 and 500)
    -- btrim() trims only spaces: a title of tabs, newlines or no-break spaces must fail too.
    constraint tasks_title_not_blank check (title ~ '[^[:space:]\u00a0\u200b\ufeff]'),
  notes text not null default ''
    constraint tasks_notes_length check (char_length(notes) <= 20000),
  status text not null default 'open'
    constraint tasks_status_valid check (status in ('open', 'completed')),
  priority smallint not null default 4
    constraint tasks_priority_range check (priority between 1 and 4),
  due_date date,
  due_time time,
  due_tz text
    constraint tasks_due_tz_valid check (private.is_valid_timezone(due_tz)),
  -- The instant the task is due: end of the day for date-only tasks. Derived, so it can
  -- never disagree with the date, time and zone the user chose.
  -- The zone is checked first so a bad zone fails on tasks_due_tz_valid with its readable
  -- message, not inside this expression.
  due_at timestamptz generated always as (
    case when private.is_valid_timezone(due_tz)
      then (due_date + coalesce(due_time, time '23:59:59')) at time zone coalesce(due_tz, 'UTC')
    end
  ) stored,
  recurrence text
    constraint tasks_recurrence_format check (
      recurrence is null or (char_length(recurrence) <= 500 and recurrence ~ '^(RRULE:)?FREQ=')
    ),
  position numeric not null default (extract(epoch from clock_timestamp()) * 1000)
    constraint tasks_position_finite check (position between -1e30 and 1e30),
  completed_at timestamptz,
  deleted_at timestamptz,
  created_by uuid default auth.uid() references identity.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, project_id) references public.projects (workspace_id, id)
    on delete set null (project_id),
  constraint tasks_due_time_needs_date check (due_time is null or due_date is not null),
  constraint tasks_due_tz_needs_date check (due_tz is null or due_date is not null),
  constraint tasks_completed_consistent check ((status = 'completed') = (completed_at is not null))
);
comment on table public.tasks is 'A to-do. Soft-deleted tasks (deleted_at set) live in the trash until purged.';
comment on column public.tasks.notes is 'Markdown, at most 20,000 characters.';
comment on column public.tasks.status is 'open or completed.';
comment on column public.tasks.priority is '1 (highest) to 4 (none).';
comment on column public.tasks.due_date is 'The calendar day the task is due, in due_tz.';
comment on column public.tasks.due_time is 'Optional time of day on due_date, in due_tz.';
comment on column public.tasks.due_tz is 'IANA time zone the due date was set in (e.g. Europe/Berlin).';
comment on column public.tasks.due_at is 'The due instant (derived): end of day for date-only tasks.';
comment on column public.tasks.recurrence is 'RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO.';
comment on column public.tasks.position is 'Manual order; a move writes the midpoint of its neighbours.';
comment on column public.tasks.completed_at is 'When the task was completed; set and cleared with status.';
comment on column public.tasks.deleted_at is 'Set when moved to the trash; null for live tasks.';

create index tasks_project_idx on public.tasks (workspace_id, project_id) where deleted_at is null;
create index tasks_open_due_idx on public.tasks (workspace_id, due_at) where deleted_at is null and status = 'open';
create index tasks_position_idx on public.tasks (workspace_id, position) where deleted_at is null;
create index tasks_created_by_idx on public.tasks (created_by);

-- completed_at follows status: completing stamps it, reopening clears it.
create function private.tg_tasks__completed_at() returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if new.status = 'completed' and (tg_op = 'INSERT' or old.status <> 'completed') then
    new.completed_at := coalesce(new.completed_at, now());
  elsif new.status <> 'completed' then
    new.completed_at := null;
  end if;
  return new;
end
$$;

create trigger _100_timestamps before insert or update on public.tasks
  for each row execute function private.tg__timestamps();
create trigger _200_completed_at before insert or update of status, completed_at on public.tasks
  for each row execute function private.tg_tasks__completed_at();

create table public.labels (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text not null
    constraint labels_name_format check (char_length(btrim(name)) between 1 and 60 and name !~ '\s')
    -- \s misses no-break and zero-width spaces: a name of only those must fail too.
    constraint labels_name_not_blank check (name ~ '[^[:space:]\u00a0\u200b\ufeff]'),
  color text not null default 'slate'
    constraint labels_color_valid check (color ~ '^[a-z]{3,20}$|^#[0-9a-fA-F]{6}$'),
  created_by uuid default auth.uid() references identity.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id)
);
comment on table public.labels is 'A tag for tasks (written @name in quick add); names are unique per workspace, ignoring case.';
create unique index labels_name_key on public.labels (workspace_id, lower(name));

create trigger _100_timestamps before insert or update on public.labels
  for each row execute function private.tg__timestamps();

create table public.task_labels (
  workspace_id uuid not null,
  task_id uuid not null,
  label_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, task_id, label_id),
  foreign key (workspace_id, task_id) references public.tasks (workspace_id, id) on delete cascade,
  foreign key (workspace_id, label_id) references public.labels (workspace_id, id) on delete cascade
);
comment on table public.task_labels is 'Which labels a task carries.';
create index task_labels_label_idx on public.task_labels (workspace_id, label_id);
