-- Why: the REST API's /rpc endpoints need real product operations, not just tables:
-- full-text search over a caller's tasks, and completing a task in one call. Both are
-- security invoker, so RLS decides what they see and change exactly as for a plain
-- table request; execute is granted to authenticated only (anon gets 42501 → 401).

-- Search runs as the caller; RLS limits it to their workspaces. No SET clause: a SQL
-- function without one can be inlined, so filters, order and limit the REST engine puts
-- around the call reach the planner (all names are schema-qualified anyway).
create function public.search_tasks(query text) returns setof public.tasks
  language sql stable security invoker
as $$
  select t.* from public.tasks t
  where t.deleted_at is null
    and to_tsvector('english'::regconfig, t.title || ' ' || t.notes)
        @@ websearch_to_tsquery('english'::regconfig, search_tasks.query)
$$;
comment on function public.search_tasks(text) is
  'Live tasks (not in the trash) whose title or notes match a web-search style query, e.g. "garden -party". Filter, order and paginate the result like the tasks table.';
revoke execute on function public.search_tasks(text) from public;
grant execute on function public.search_tasks(text) to authenticated;

-- Completing is an UPDATE under the caller's policies: a task in another workspace, a
-- trashed one, or one in a workspace where the caller is a guest is "not found" (PT404,
-- which the REST engine answers as HTTP 404, PostgREST's convention for PTnnn codes).
create function public.complete_task(task_id uuid) returns public.tasks
  language plpgsql volatile security invoker
  set search_path = ''
as $$
declare
  v_task public.tasks;
begin
  update public.tasks t set status = 'completed'
  where t.id = complete_task.task_id and t.deleted_at is null
  returning t.* into v_task;
  if not found then
    raise exception 'Task not found'
      using errcode = 'PT404',
            detail = 'No live task with this id in a workspace where you can write.';
  end if;
  return v_task;
end
$$;
comment on function public.complete_task(uuid) is
  'Marks a live task completed (completed_at is stamped once) and returns it. Not found (404) for tasks the caller cannot write.';
revoke execute on function public.complete_task(uuid) from public;
grant execute on function public.complete_task(uuid) to authenticated;
