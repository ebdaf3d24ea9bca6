-- Why: quick add ("Pay rent every 1st #home @bills p1") creates a task, maybe a project and
-- labels, and links them. Done by the browser as separate REST calls it could fail half-way
-- and, retried from the offline queue, duplicate. One function does it in one transaction
-- and is safe to retry: the client generates the task id, and a second call with the same
-- id and the same payload returns the task it created instead of creating anything.
-- Security invoker: RLS decides where the caller may write, as for the tables themselves.
create function public.quick_add_task(
  title text,
  task_id uuid default null,
  workspace_id uuid default null,
  notes text default '',
  priority smallint default 4,
  due_date date default null,
  due_time time default null,
  due_tz text default null,
  recurrence text default null,
  project_name text default null,
  label_names text[] default '{}'
) returns public.tasks
  language plpgsql volatile security invoker
  set search_path = ''
as $$
#variable_conflict use_column
declare
  v_workspace_id uuid := coalesce(quick_add_task.workspace_id, public.my_personal_workspace_id());
  v_task_id uuid := coalesce(quick_add_task.task_id, gen_random_uuid());
  v_project_name text := nullif(btrim(quick_add_task.project_name), '');
  v_labels text[];
  v_project_id uuid;
  v_task public.tasks;
  v_existing public.tasks;
  v_name text;
  v_label_id uuid;
  v_constraint text;
begin
  if v_workspace_id is null then
    raise exception 'Workspace not found' using errcode = 'PT404', detail = 'Sign in, or name a workspace.';
  end if;
  -- Labels: trimmed, case-insensitively distinct, no spaces (a quick-add @label is one word).
  v_labels := array(
    select distinct on (lower(btrim(l))) btrim(l)
    from unnest(coalesce(quick_add_task.label_names, '{}')) l
    where btrim(l) <> ''
    order by lower(btrim(l)));
  if cardinality(v_labels) > 20 then
    raise exception 'Too many labels' using errcode = '22023', detail = 'A task can get at most 20 labels at once.';
  end if;
  if exists (select 1 from unnest(v_labels) l where l ~ '[[:space:]\u00a0\u200b\ufeff]') then
    raise exception 'Label names cannot contain spaces' using errcode = '22023',
      detail = 'Write a label as one word, e.g. @errands.';
  end if;

  -- A retry of a call that already succeeded: same id in a workspace the caller sees.
  select t.* into v_existing from public.tasks t where t.id = v_task_id order by t.workspace_id limit 1;
  if found then
    if v_existing.workspace_id = v_workspace_id
       and v_existing.title = quick_add_task.title
       and v_existing.notes = coalesce(quick_add_task.notes, '')
       and v_existing.priority = coalesce(quick_add_task.priority, 4)
       and v_existing.due_date is not distinct from quick_add_task.due_date
       and v_existing.due_time is not distinct from quick_add_task.due_time
       and v_existing.due_tz is not distinct from quick_add_task.due_tz
       and v_existing.recurrence is not distinct from quick_add_task.recurrence
       and (select lower(p.name) from public.projects p
            where p.workspace_id = v_existing.workspace_id and p.id = v_existing.project_id)
           is not distinct from lower(v_project_name)
       and array(select lower(l.name) from public.task_labels tl
                 join public.labels l on l.workspace_id = tl.workspace_id and l.id = tl.label_id
                 where tl.workspace_id = v_existing.workspace_id and tl.task_id = v_existing.id
                 order by 1)
           = array(select lower(l) from unnest(v_labels) l order by 1)
    then
      return v_existing;
    end if;
    raise exception 'A different task already has this id' using errcode = 'PT409',
      detail = 'The id was used for a task with another workspace or content; generate a new id for a new task.';
  end if;

  begin
    if v_project_name is not null then
      -- Serialises concurrent quick adds naming the same new project in a workspace.
      perform pg_catalog.pg_advisory_xact_lock(
        pg_catalog.hashtextextended(v_workspace_id::text || '/project/' || lower(v_project_name), 0));
      select p.id into v_project_id from public.projects p
      where p.workspace_id = v_workspace_id and lower(p.name) = lower(v_project_name) and p.archived_at is null
      order by p.created_at, p.id
      limit 1;
      if v_project_id is null then
        insert into public.projects (workspace_id, name) values (v_workspace_id, v_project_name)
        returning id into v_project_id;
      end if;
    end if;

    insert into public.tasks (workspace_id, id, project_id, title, notes, priority, due_date, due_time, due_tz, recurrence)
    values (v_workspace_id, v_task_id, v_project_id, quick_add_task.title, coalesce(quick_add_task.notes, ''),
            coalesce(quick_add_task.priority, 4), quick_add_task.due_date, quick_add_task.due_time,
            quick_add_task.due_tz, quick_add_task.recurrence)
    returning * into v_task;

    foreach v_name in array v_labels loop
      insert into public.labels (workspace_id, name) values (v_workspace_id, v_name)
      on conflict (workspace_id, lower(name)) do nothing
      returning id into v_label_id;
      if v_label_id is null then
        select l.id into v_label_id from public.labels l
        where l.workspace_id = v_workspace_id and lower(l.name) = lower(v_name);
      end if;
      insert into public.task_labels (workspace_id, task_id, label_id) values (v_workspace_id, v_task_id, v_label_id);
      v_label_id := null;
    end loop;
  exception
    when unique_violation then
      -- The same id inserted concurrently (a retry racing the original): answer as a retry.
      get stacked diagnostics v_constraint = constraint_name;
      if v_constraint = 'tasks_pkey' then
        return public.quick_add_task(quick_add_task.title, v_task_id, v_workspace_id, quick_add_task.notes,
          quick_add_task.priority, quick_add_task.due_date, quick_add_task.due_time, quick_add_task.due_tz,
          quick_add_task.recurrence, quick_add_task.project_name, quick_add_task.label_names);
      end if;
      raise;
    when insufficient_privilege then
      raise exception 'You cannot add tasks to this workspace' using errcode = '42501',
        detail = 'Guests only read; owners, admins and members add tasks.';
  end;
  return v_task;
end
$$;
comment on function public.quick_add_task(text, uuid, uuid, text, smallint, date, time, text, text, text, text[]) is
  'Creates a task in one transaction, with its project (matched by name ignoring case among non-archived projects, else created) and labels (created when missing). workspace_id defaults to the personal workspace. Pass a client-generated task_id to make retries safe: the same id and payload returns the existing task; the same id with anything different is a conflict (409).';
revoke execute on function public.quick_add_task(text, uuid, uuid, text, smallint, date, time, text, text, text, text[]) from public;
grant execute on function public.quick_add_task(text, uuid, uuid, text, smallint, date, time, text, text, text, text[]) to authenticated;
