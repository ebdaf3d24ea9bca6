-- Why: a new user must never exist without a place for their tasks. The personal
-- workspace and the owner membership are created by a trigger on identity.users, inside
-- the very statement that inserts the user: either all three rows commit, or none do.
create function private.tg_users__create_personal_workspace() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
declare
  v_workspace_id uuid;
begin
  insert into public.workspaces (name, kind, created_by)
  values ('Personal', 'personal', new.id)
  returning id into v_workspace_id;

  insert into public.workspace_members (workspace_id, user_id, role)
  values (v_workspace_id, new.id, 'owner');
  return new;
end
$$;
comment on function private.tg_users__create_personal_workspace() is
  'Creates the personal workspace and owner membership of a new user, atomically with it.';

create trigger _100_create_personal_workspace after insert on identity.users
  for each row execute function private.tg_users__create_personal_workspace();

-- The personal workspace of the caller (what a single-user client works in).
create function public.my_personal_workspace_id() returns uuid
  language sql stable
  set search_path = ''
as $$
  select w.id from public.workspaces w
  where w.kind = 'personal' and w.created_by = (select auth.uid())
  order by w.created_at
  limit 1
$$;
comment on function public.my_personal_workspace_id() is 'The id of the signed-in user''s personal workspace.';
grant execute on function public.my_personal_workspace_id() to authenticated;
