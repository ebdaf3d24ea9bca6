-- Why: the app's settings page (issue 4) stores a person's time zone, locale, theme and first
-- day of the week, and every view reads them (Today and Upcoming are days in the user's
-- zone). Settings belong to a person, not a workspace, so the table cannot follow the
-- tenant rules of public (a workspace_id key, Citus distribution: tests/sql/00-catalog):
-- it lives in a new schema `account` (per-user data, a Citus reference-style table later)
-- and the APIs reach it through public.user_settings, a security-invoker view, so RLS on
-- the table decides and supabase-js upserts it like a table (on conflict (user_id)).
create schema account;
comment on schema account is 'Per-person data that belongs to no workspace; exposed through security-invoker views in public.';
grant usage on schema account to authenticated, service_role;

create table account.user_settings (
  user_id uuid primary key default auth.uid() references identity.users (id) on delete cascade,
  time_zone text
    constraint user_settings_time_zone_valid check (private.is_valid_timezone(time_zone)),
  -- BCP 47 shape: language, optional script, optional region (en, en-GB, zh-Hant-TW, es-419).
  locale text
    constraint user_settings_locale_format check (
      locale ~ '^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?$'
    ),
  theme text not null default 'system'
    constraint user_settings_theme_valid check (theme in ('system', 'light', 'dark')),
  week_start smallint not null default 1
    constraint user_settings_week_start_range check (week_start between 0 and 6),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table account.user_settings is 'One row per person: display preferences. Read and written through public.user_settings.';

create trigger _100_timestamps before insert or update on account.user_settings
  for each row execute function private.tg__timestamps();

create view public.user_settings with (security_invoker = true) as
  select user_id, time_zone, locale, theme, week_start, created_at, updated_at
  from account.user_settings;
comment on view public.user_settings is
  'The signed-in person''s preferences (one row, absent until first saved). Upsert with on_conflict=user_id; user_id defaults to the caller.';
comment on column public.user_settings.user_id is 'The person; defaults to the caller and cannot be anyone else.';
comment on column public.user_settings.time_zone is 'IANA time zone, e.g. Europe/Berlin; null means the browser''s.';
comment on column public.user_settings.locale is 'BCP 47 language tag, e.g. en-GB; null means the browser''s.';
comment on column public.user_settings.theme is 'system, light or dark.';
comment on column public.user_settings.week_start is 'First day of the week: 0 = Sunday … 6 = Saturday.';
