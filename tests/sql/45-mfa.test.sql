-- MFA in the database: create_api_key() gated by a verified email and, for people with a
-- second factor, by an aal2 token (an aal2-gated function refuses aal1, accepts aal2);
-- TOTP time-steps claimed once (no replay); account deletion's erasure scheduling.
begin;
select plan(16);

-- Acting as a signed-in person whose token carries the given assurance level.
create function tests.authenticate_with_aal(p_user_id uuid, p_aal text) returns void
  language plpgsql volatile
as $$
begin
  perform tests.authenticate_as(p_user_id);
  perform set_config('request.jwt.claims',
    jsonb_build_object('sub', p_user_id, 'role', 'authenticated', 'aal', p_aal)::text, true);
end
$$;
grant execute on function tests.authenticate_with_aal(uuid, text) to authenticated;

select tests.create_user('una') as una \gset
select tests.create_user('mia') as mia \gset
select tests.create_user('pat') as pat \gset
select tests.personal_workspace(:'una') as ws_una \gset
select tests.personal_workspace(:'mia') as ws_mia \gset
select tests.personal_workspace(:'pat') as ws_pat \gset
-- Mia verified her email and enrolled TOTP; Pat verified and has no second factor.
update identity.users set email_verified = true, two_factor_enabled = true where id = :'mia';
update identity.users set email_verified = true where id = :'pat';

-- ---------------------------------------------------------------------------------------
-- create_api_key: verified email, and aal2 for whoever has a second factor.
select tests.authenticate_with_aal(:'una', 'aal2');
select throws_ok(format($$select public.create_api_key(%L, 'k', 'read')$$, :'ws_una'),
  '42501', 'Verify your email address before creating API keys.', 'an unverified email cannot create keys, even at aal2');

select tests.authenticate_with_aal(:'mia', 'aal1');
-- The helpers in `private` are for the database's own functions: read them as the owner,
-- with Mia's claims still set.
select set_config('role', 'none', true);
select is(private.current_aal(), 'aal1', 'current_aal() reads the token');
select ok(private.second_factor_enrolled(), 'Mia has a second factor');
select tests.authenticate_with_aal(:'mia', 'aal1');
select throws_ok(format($$select public.create_api_key(%L, 'k', 'read')$$, :'ws_mia'),
  '42501', 'Confirm your second factor before creating API keys.', 'aal1 is refused when a second factor is enrolled');
select tests.authenticate_as(:'mia');
select throws_ok(format($$select public.create_api_key(%L, 'k', 'read')$$, :'ws_mia'),
  '42501', 'Confirm your second factor before creating API keys.', 'a token without aal counts as aal1');
select tests.authenticate_with_aal(:'mia', 'aal2');
select set_config('role', 'none', true);
select is(private.current_aal(), 'aal2', 'current_aal() reads aal2');
select tests.authenticate_with_aal(:'mia', 'aal2');
select lives_ok(format($$select public.create_api_key(%L, 'k', 'read')$$, :'ws_mia'), 'aal2 creates a key');

select tests.authenticate_with_aal(:'pat', 'aal1');
select lives_ok(format($$select public.create_api_key(%L, 'k', 'read')$$, :'ws_pat'),
  'without a second factor, aal1 is enough');
select tests.clear_authentication();

select is((select count(*)::int from public.api_keys where workspace_id in (:'ws_una', :'ws_mia', :'ws_pat')), 2,
  'only the allowed calls created keys');

-- ---------------------------------------------------------------------------------------
-- TOTP time-steps: each accepted once, never an older one.
select ok(private.claim_totp_step(:'mia', 1000), 'a first step is accepted');
select ok(not private.claim_totp_step(:'mia', 1000), 'the same step again is a replay');
select ok(not private.claim_totp_step(:'mia', 999), 'an older step is refused');
select ok(private.claim_totp_step(:'mia', 1001), 'the next step is accepted');

-- ---------------------------------------------------------------------------------------
-- Account deletion: own workspaces scheduled, shared ones block while solely owned.
insert into public.workspaces (name, kind, created_by) values ('Team Pat', 'team', :'pat') returning id as ws_team \gset
select tests.add_member(:'ws_team', :'pat', 'owner');
select tests.add_member(:'ws_team', :'una', 'member');
select throws_ok(format($$select private.schedule_account_erasure(%L, interval '30 days')$$, :'pat'),
  '55000', 'You are the only owner of Team Pat: make someone else an owner before deleting your account.',
  'the only owner of a shared workspace cannot be erased');
select set_eq(format($$select private.schedule_account_erasure(%L, interval '30 days')$$, :'una'),
  format($$values (%L::uuid)$$, :'ws_una'),
  'a member schedules only the workspaces nobody else belongs to');
select is((select count(*)::int from graphile_worker._private_jobs j
           join graphile_worker._private_tasks t on t.id = j.task_id
           where t.identifier = 'workspaces__erase' and j.key = 'workspaces__erase:' || :'ws_una'
             and j.run_at > now() + interval '29 days'), 1, 'one erasure job, thirty days out');

select * from finish();
rollback;
