-- Why: every identity event (sign-up, sign-in success and failure, sign-out, verification,
-- password change and reset, MFA, passkeys, sessions revoked, key rotation, OAuth links)
-- is recorded once and never changed: account.audit, append-only, monthly partitions
-- (db/partitions/monthly.sql, kept 25 months). People read their own security history
-- through the view public.security_events (RLS: subject = auth.uid()).
--
-- No foreign key to identity.users: the record outlives the account it describes (a
-- deleted identity's history stays for the security team for the retention period).
-- Append-only is enforced in the database, not by convention: UPDATE, DELETE and
-- TRUNCATE raise for every role, the owner included; old months leave only by
-- pg_partman dropping a whole partition past retention.
create table account.audit (
  id uuid not null default gen_random_uuid(),
  occurred_at timestamptz not null default now(),
  event text not null
    constraint audit_event_format check (event ~ '^[a-z_]+(\.[a-z_]+)+$' and char_length(event) <= 60),
  outcome text not null
    constraint audit_outcome_values check (outcome in ('success', 'failure')),
  actor_id uuid,
  subject_id uuid,
  ip inet,
  user_agent text
    constraint audit_user_agent_length check (char_length(user_agent) <= 500),
  reason text
    constraint audit_reason_length check (char_length(reason) <= 500),
  data jsonb not null default '{}'
    constraint audit_data_size check (pg_column_size(data) <= 4096),
  primary key (occurred_at, id)
) partition by range (occurred_at);
comment on table account.audit is
  'Append-only identity audit log: who (actor) did what (event, outcome, reason) to whose account (subject), from where (ip, user_agent), when. Monthly partitions.';
comment on column account.audit.actor_id is 'Who acted (null when unknown, e.g. a failed sign-in for an unknown email).';
comment on column account.audit.subject_id is 'Whose account the event concerns (null when no account matched).';

create index audit_subject_idx on account.audit (subject_id, occurred_at desc);

create function private.audit_is_append_only() returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  raise exception 'account.audit is append-only: % is not allowed', tg_op
    using errcode = '42501', hint = 'Old months are removed only by dropping partitions past retention.';
end
$$;

create trigger audit_no_update before update or delete on account.audit
  for each row execute function private.audit_is_append_only();
create trigger audit_no_truncate before truncate on account.audit
  for each statement execute function private.audit_is_append_only();

-- The one writer: called by the auth service (lib/auth/audit.ts) with the service role.
create function private.record_audit(
  p_event text,
  p_outcome text,
  p_actor_id uuid,
  p_subject_id uuid,
  p_ip inet,
  p_user_agent text,
  p_reason text,
  p_data jsonb default '{}'
) returns uuid
  language sql
  security definer
  set search_path = ''
as $$
  insert into account.audit (event, outcome, actor_id, subject_id, ip, user_agent, reason, data)
  values (p_event, p_outcome, p_actor_id, p_subject_id, p_ip, left(p_user_agent, 500), left(p_reason, 500),
          coalesce(p_data, '{}'))
  returning id
$$;
revoke all on function private.record_audit(text, text, uuid, uuid, inet, text, text, jsonb) from public;

create view public.security_events with (security_invoker = true) as
  select id, occurred_at, event, outcome, actor_id, subject_id, ip, user_agent, reason
  from account.audit;
comment on view public.security_events is
  'Your security history: sign-ins, password and MFA changes, sessions revoked, newest first by occurred_at.';
