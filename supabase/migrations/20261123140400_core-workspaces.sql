-- Why: the tenant root. Every tenant-owned row belongs to a workspace; a user reaches a
-- workspace only through a membership. Phase 1 gives each user one personal workspace;
-- the same tables carry teams in Phase 2. Primary keys lead with the workspace id so
-- Citus can co-locate a tenant's rows (tests/sql/00-catalog.test.sql keeps it so).

create table public.workspaces (
  id uuid not null default gen_random_uuid() primary key,
  name text not null
    constraint workspaces_name_length check (char_length(btrim(name)) between 1 and 100)
    -- btrim() trims only spaces: a name of tabs or no-break spaces must fail too.
    constraint workspaces_name_not_blank check (name ~ '[^[:space:]\u00a0\u200b\ufeff]'),
  kind text not null default 'team'
    constraint workspaces_kind_valid check (kind in ('personal', 'team')),
  created_by uuid references identity.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.workspaces is 'A tenant: a person''s personal space or a team. Everything else belongs to one.';
comment on column public.workspaces.kind is 'personal (one per user, created at sign-up) or team.';
comment on column public.workspaces.created_by is 'The user who created it; null once that user is deleted.';
create index workspaces_created_by_idx on public.workspaces (created_by);

create trigger _100_timestamps before insert or update on public.workspaces
  for each row execute function private.tg__timestamps();

create table public.workspace_members (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  user_id uuid not null references identity.users (id) on delete cascade,
  role text not null default 'member'
    constraint workspace_members_role_valid check (role in ('owner', 'admin', 'member', 'guest')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
comment on table public.workspace_members is 'Who belongs to which workspace, and with which role.';
comment on column public.workspace_members.role is 'owner > admin > member > guest. Guests can read, not write.';
-- Policies look memberships up by user: this index serves private.my_workspace_ids().
create index workspace_members_user_id_idx on public.workspace_members (user_id, workspace_id);

create trigger _100_timestamps before insert or update on public.workspace_members
  for each row execute function private.tg__timestamps();

-- The workspaces the current caller belongs to (all roles) / may write in (not guests).
-- Security definer so policies on workspace_members do not recurse into themselves.
create function private.my_workspace_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
as $$
  select m.workspace_id from public.workspace_members m where m.user_id = (select auth.uid())
$$;

create function private.my_writable_workspace_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
as $$
  select m.workspace_id from public.workspace_members m
  where m.user_id = (select auth.uid()) and m.role in ('owner', 'admin', 'member')
$$;

create function private.my_admin_workspace_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
as $$
  select m.workspace_id from public.workspace_members m
  where m.user_id = (select auth.uid()) and m.role in ('owner', 'admin')
$$;

grant execute on function private.my_workspace_ids(), private.my_writable_workspace_ids(),
  private.my_admin_workspace_ids() to authenticated;
