-- Why: API clients (mobile, CLI) keep a session through refresh tokens instead of a cookie
-- (lib/auth/refresh-tokens.ts). A family is one session: every refresh token belongs to
-- the session it was issued for and is deleted with it. Each refresh spends its token
-- (used_at) and issues a new one; a spent token presented again ends the whole family.
-- Only the SHA-256 of a token is stored. The auth service (table owner) is the only
-- reader and writer: no grants to API roles, and RLS on with no policy as a backstop.
create table identity.refresh_tokens (
  id uuid not null default gen_random_uuid() primary key,
  session_id uuid not null references identity.sessions (id) on delete cascade,
  user_id uuid not null references identity.users (id) on delete cascade,
  token_hash text not null
    constraint refresh_tokens_hash_format check (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  constraint refresh_tokens_hash_key unique (token_hash),
  constraint refresh_tokens_expiry_after_creation check (expires_at > created_at)
);
comment on table identity.refresh_tokens is
  'Refresh tokens of API clients, hashed; family = session_id. A used token presented again revokes the session.';
comment on column identity.refresh_tokens.used_at is 'When this token was exchanged for its successor (null: not yet).';

create index refresh_tokens_session_idx on identity.refresh_tokens (session_id);
create index refresh_tokens_user_idx on identity.refresh_tokens (user_id);

alter table identity.refresh_tokens enable row level security;
revoke all on identity.refresh_tokens from public;
