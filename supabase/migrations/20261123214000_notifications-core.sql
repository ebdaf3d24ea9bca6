-- Why: issue 5's notifications. One entry point, private.notify(...), decides per person,
-- kind and channel (their preferences, or the kind's default) whether to write an in-app
-- notification and/or queue an email, in the caller's transaction: a reminder, a webhook
-- endpoint being disabled, or a change by a teammate all notify the same way.
--
-- * account.notifications (view public.notifications): the in-app list (bell with unread
--   count); each person reads, marks read and deletes only their own. Per person, not per
--   workspace, hence the account schema (sharded by user, not by workspace). `dedupe_key` makes notify idempotent: a job
--   that runs twice notifies once.
-- * account.notification_preferences (view public.notification_preferences): a row only
--   where the person chose something other than the default (private.notification_kinds).
-- * private.outgoing_mail: emails to send; the worker task mail__send renders the
--   template and sends it over SMTP, once (sent_at), retried with backoff on failure.
--   Addresses are read at send time, so nothing personal is copied into the queue.

create table private.notification_kinds (
  kind text primary key
    constraint notification_kinds_kind_format check (kind ~ '^[a-z_]{1,40}$'),
  email_default boolean not null,
  in_app_default boolean not null,
  description text not null
);
comment on table private.notification_kinds is
  'Every kind of notification and whether its email and in-app channels are on by default.';

insert into private.notification_kinds (kind, email_default, in_app_default, description) values
  ('reminder', true, true, 'A reminder you set on a task.'),
  ('task_activity', false, true, 'Someone else created, completed or changed a task in a shared workspace.'),
  ('member_added', true, true, 'You were added to a workspace.'),
  ('digest', false, false, 'A daily summary of what is due, at 07:00 in your time zone (opt-in).'),
  ('webhook_disabled', true, true, 'A webhook endpoint of your workspace kept failing and was disabled.');

create table account.notification_preferences (
  user_id uuid not null default auth.uid() references identity.users (id) on delete cascade,
  kind text not null references private.notification_kinds (kind),
  channel text not null
    constraint notification_preferences_channel_valid check (channel in ('email', 'in_app')),
  enabled boolean not null,
  updated_at timestamptz not null default now(),
  primary key (user_id, kind, channel)
);
comment on table account.notification_preferences is
  'A person''s choice per notification kind and channel, where it differs from the kind''s default.';

create view public.notification_preferences with (security_invoker = true) as
  select user_id, kind, channel, enabled, updated_at from account.notification_preferences;
comment on view public.notification_preferences is
  'Your notification choices per kind (reminder, task_activity, member_added, digest, webhook_disabled) and channel (email, in_app). Missing = the default.';

create table account.notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references identity.users (id) on delete cascade,
  workspace_id uuid references public.workspaces (id) on delete cascade,
  kind text not null references private.notification_kinds (kind),
  title text not null
    constraint notifications_title_length check (char_length(title) between 1 and 300),
  body text not null default ''
    constraint notifications_body_length check (char_length(body) <= 2000),
  url text
    constraint notifications_url_format check (url ~ '^/[^/]' and char_length(url) <= 500),
  subject_id uuid,
  dedupe_key text not null
    constraint notifications_dedupe_key_length check (char_length(dedupe_key) between 1 and 200),
  created_at timestamptz not null default now(),
  read_at timestamptz,
  constraint notifications_dedupe_key_unique unique (user_id, dedupe_key)
);
comment on table account.notifications is
  'In-app notifications: each person sees, marks read and deletes only their own. url is an in-app path.';
create index notifications_unread_idx on account.notifications (user_id, created_at desc) where read_at is null;
create index notifications_user_created_idx on account.notifications (user_id, created_at desc);

create view public.notifications with (security_invoker = true) as
  select id, user_id, workspace_id, kind, title, body, url, subject_id, dedupe_key, created_at, read_at
  from account.notifications;
comment on view public.notifications is
  'Your in-app notifications, newest first by created_at; mark them read with mark_notifications_read or by setting read_at.';

create table private.outgoing_mail (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references identity.users (id) on delete cascade,
  kind text not null references private.notification_kinds (kind),
  template text not null
    constraint outgoing_mail_template_format check (template ~ '^[a-z_]{1,40}$'),
  data jsonb not null default '{}'
    constraint outgoing_mail_data_size check (pg_column_size(data) <= 16384),
  dedupe_key text not null
    constraint outgoing_mail_dedupe_key_length check (char_length(dedupe_key) between 1 and 200),
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  message_id text,
  constraint outgoing_mail_dedupe_unique unique (user_id, dedupe_key)
);
comment on table private.outgoing_mail is
  'Emails to send (mail__send renders `template` with `data`); sent_at is set once sent. Addresses are looked up at send time.';
create index outgoing_mail_unsent_idx on private.outgoing_mail (created_at) where sent_at is null;

-- Whether a person wants a kind of notification on a channel: their choice, else the default.
create function private.wants_notification(p_user_id uuid, p_kind text, p_channel text) returns boolean
  language sql stable
  set search_path = ''
as $$
  select coalesce(
    (select p.enabled from account.notification_preferences p
     where p.user_id = p_user_id and p.kind = p_kind and p.channel = p_channel),
    (select case p_channel when 'email' then k.email_default else k.in_app_default end
     from private.notification_kinds k where k.kind = p_kind),
    false)
$$;

-- Notifies one person: an in-app notification and/or a queued email (template = kind),
-- as their preferences say, in the caller's transaction. Idempotent per (user, dedupe_key):
-- a second call with the same key does nothing. Returns the channels used.
create function private.notify(
  p_user_id uuid,
  p_kind text,
  p_dedupe_key text,
  p_title text,
  p_body text default '',
  p_url text default null,
  p_workspace_id uuid default null,
  p_subject_id uuid default null,
  p_data jsonb default '{}'
) returns text[]
  language plpgsql volatile security definer
  set search_path = ''
as $$
declare
  v_channels text[] := '{}';
  v_mail_id uuid;
begin
  if private.wants_notification(p_user_id, p_kind, 'in_app') then
    insert into account.notifications (user_id, workspace_id, kind, title, body, url, subject_id, dedupe_key)
    values (p_user_id, p_workspace_id, p_kind, p_title, p_body, p_url, p_subject_id, p_dedupe_key)
    on conflict (user_id, dedupe_key) do nothing;
    if found then v_channels := array_append(v_channels, 'in_app'); end if;
  end if;
  if private.wants_notification(p_user_id, p_kind, 'email') then
    insert into private.outgoing_mail (user_id, kind, template, data, dedupe_key)
    values (p_user_id, p_kind, p_kind,
            p_data || jsonb_build_object('title', p_title, 'body', p_body, 'url', p_url,
                                         'workspace_id', p_workspace_id, 'subject_id', p_subject_id),
            p_dedupe_key)
    on conflict (user_id, dedupe_key) do nothing
    returning id into v_mail_id;
    if v_mail_id is not null then
      perform graphile_worker.add_job('mail__send', json_build_object('mail_id', v_mail_id),
                                      max_attempts => 12);
      v_channels := array_append(v_channels, 'email');
    end if;
  end if;
  return v_channels;
end
$$;
comment on function private.notify(uuid, text, text, text, text, text, uuid, uuid, jsonb) is
  'Notifies a person in-app and/or by email per their preferences; idempotent per (user, dedupe_key). Returns the channels used.';
revoke execute on function private.notify(uuid, text, text, text, text, text, uuid, uuid, jsonb) from public;
revoke execute on function private.wants_notification(uuid, text, text) from public;

-- Marks the caller's notifications read (all unread ones when ids is null); returns how many.
create function public.mark_notifications_read(ids uuid[] default null) returns integer
  language sql volatile security invoker
  set search_path = ''
as $$
  with done as (
    update account.notifications n set read_at = now()
    where n.user_id = (select auth.uid()) and n.read_at is null
      and (mark_notifications_read.ids is null or n.id = any (mark_notifications_read.ids))
    returning 1
  )
  select count(*)::integer from done
$$;
comment on function public.mark_notifications_read(uuid[]) is
  'Marks your notifications read: the given ids, or every unread one when ids is omitted. Returns how many changed.';
revoke execute on function public.mark_notifications_read(uuid[]) from public;
grant execute on function public.mark_notifications_read(uuid[]) to authenticated;

-- The kinds, for the settings page.
create view public.notification_kinds with (security_invoker = true) as
  select kind, email_default, in_app_default, description from private.notification_kinds;
comment on view public.notification_kinds is 'Every kind of notification, its default per channel and what it is for.';
