-- Why: what RLS policies and SQL functions ask about the caller's identity, beyond who
-- they are: the assurance level of the request (`aal` claim of the access token or
-- session, as Supabase's auth.jwt()->>'aal'), whether the caller verified their email,
-- and whether they enrolled a second factor. In `private`, so a hosted Supabase auth
-- schema is never touched.
create function private.current_aal() returns text
  language sql stable
  set search_path = ''
as $$
  select case when (select auth.jwt() ->> 'aal') = 'aal2' then 'aal2' else 'aal1' end
$$;
comment on function private.current_aal() is
  'aal1 or aal2: the assurance level of the current request''s token (aal2 = a second factor was verified in the session).';

create function private.email_verified() returns boolean
  language sql stable
  security definer
  set search_path = ''
as $$
  select coalesce((select u.email_verified from identity.users u where u.id = (select auth.uid())), false)
$$;
comment on function private.email_verified() is
  'True when the caller has verified their email address (read now, not from the token).';

create function private.second_factor_enrolled() returns boolean
  language sql stable
  security definer
  set search_path = ''
as $$
  select coalesce((select u.two_factor_enabled from identity.users u where u.id = (select auth.uid())), false)
      or exists (select 1 from identity.passkeys p where p.user_id = (select auth.uid()))
$$;
comment on function private.second_factor_enrolled() is
  'True when the caller has a second factor (TOTP or a passkey): then sensitive actions require aal2.';

revoke all on function private.current_aal(), private.email_verified(), private.second_factor_enrolled() from public;
grant execute on function private.current_aal(), private.email_verified(), private.second_factor_enrolled()
  to authenticated, service_role;
