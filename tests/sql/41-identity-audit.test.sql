-- The identity audit log (account.audit) and the assurance helpers policies use.
-- Append-only holds for every role, the owner included; people read only the events
-- about their own account; private.current_aal() reads the token's `aal` claim.
begin;
select plan(16);

select tests.create_user('ana') as ana \gset
select tests.create_user('ben') as ben \gset

select lives_ok(
  format($$select private.record_audit('auth.sign_in', 'success', %L, %L, '203.0.113.7', 'Firefox', null)$$, :'ana', :'ana'),
  'the writer records an event');
select private.record_audit('auth.sign_in', 'failure', null, :'ben', '203.0.113.8', 'curl', 'invalid_password');

select throws_ok($$update account.audit set outcome = 'success'$$, '42501', null,
  'an update is refused, even for the owner');
select throws_ok($$delete from account.audit$$, '42501', null, 'a delete is refused, even for the owner');
select throws_ok($$truncate account.audit$$, '42501', null, 'a truncate is refused, even for the owner');
select throws_ok($$select private.record_audit('Sign In', 'success', null, null, null, null, null)$$, '23514', null,
  'an event name that is not dotted lower case is refused');
select throws_ok($$select private.record_audit('auth.sign_in', 'maybe', null, null, null, null, null)$$, '23514', null,
  'an outcome other than success or failure is refused');

select tests.authenticate_as(:'ana');
select results_eq($$select event, outcome, host(ip) from public.security_events$$,
  $$values ('auth.sign_in'::text, 'success'::text, '203.0.113.7'::text)$$,
  'a person sees the events about their own account only');
select throws_ok($$insert into account.audit (event, outcome) values ('auth.sign_in', 'success')$$, '42501', null,
  'a person cannot write to the audit log');
select throws_ok($$select private.record_audit('auth.sign_in', 'success', null, null, null, null, null)$$, '42501', null,
  'a person cannot call the writer');
select tests.clear_authentication();

-- The helpers are for policies and definer functions (the schema is not usable by
-- callers): read them with the caller's claims in place.
select set_config('request.jwt.claims', jsonb_build_object('sub', :'ana', 'role', 'authenticated')::text, true);
select set_config('request.jwt.claim.sub', :'ana', true);
select is(private.current_aal(), 'aal1', 'a token without aal is aal1');
select set_config('request.jwt.claims', jsonb_build_object('sub', :'ana', 'role', 'authenticated', 'aal', 'aal2')::text, true);
select is(private.current_aal(), 'aal2', 'a token with aal2 is aal2');
select is(private.email_verified(), false, 'email_verified reads the caller''s own identity row');
update identity.users set email_verified = true where id = :'ana';
select is(private.email_verified(), true, 'and follows it when the address is verified');
select is(private.second_factor_enrolled(), false, 'no TOTP and no passkey: no second factor enrolled');
update identity.users set two_factor_enabled = true where id = :'ana';
select is(private.second_factor_enrolled(), true, 'TOTP enabled: a second factor is enrolled');
select tests.clear_authentication();

select tests.authenticate_as(:'ben');
select is((select count(*)::int from public.security_events), 1, 'another person sees only theirs');
select tests.clear_authentication();

select * from finish();
rollback;
