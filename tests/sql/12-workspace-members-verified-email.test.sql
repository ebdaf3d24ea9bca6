-- workspace_members: only people with a verified email address add members (issue 6:
-- "unverified accounts cannot invite others"). The rule is a RESTRICTIVE insert policy,
-- so it holds under any permissive policy the invitation functions of Phase 2 add. Raw
-- inserts are not granted today (11-workspace-members), so this file grants insert and
-- adds an allow-all permissive policy inside its own transaction (rolled back) to show
-- that the restrictive policy alone decides.
begin;
select plan(6);

select tests.create_user('unverified owner') as unverified \gset
select tests.create_user('verified owner') as verified \gset
select tests.create_user('invitee') as invitee \gset
update identity.users set email_verified = true where id = :'verified';
select tests.personal_workspace(:'unverified') as ws_u \gset
select tests.personal_workspace(:'verified') as ws_v \gset

select policies_are('public', 'workspace_members', array['select_member', 'insert_requires_verified_email'],
  'workspace_members has exactly the select policy and the verified-email insert rule');
select is(
  (select permissive from pg_policies where tablename = 'workspace_members' and policyname = 'insert_requires_verified_email'),
  'RESTRICTIVE', 'the verified-email rule is restrictive (ANDed with every permissive policy)');

-- What Phase 2's invitations will look like: a permissive insert policy and a grant.
grant insert on public.workspace_members to authenticated;
create policy phase2_invite on public.workspace_members for insert to authenticated with check (true);

select tests.authenticate_as(:'unverified');
select throws_ok(
  format($$insert into public.workspace_members (workspace_id, user_id, role) values (%L, %L, 'member')$$, :'ws_u', :'invitee'),
  '42501', 'new row violates row-level security policy "insert_requires_verified_email" for table "workspace_members"',
  'an unverified person cannot add a member, even where a permissive policy would allow it');

select tests.authenticate_as(:'verified');
select lives_ok(
  format($$insert into public.workspace_members (workspace_id, user_id, role) values (%L, %L, 'member')$$, :'ws_v', :'invitee'),
  'a verified person passes the rule');

-- Verification is read now, not from the token: un-verifying takes effect at once.
select tests.clear_authentication();
update identity.users set email_verified = false where id = :'verified';
select tests.authenticate_as(:'verified');
select throws_ok(
  format($$insert into public.workspace_members (workspace_id, user_id, role) values (%L, %L, 'guest')$$, :'ws_v', :'unverified'),
  '42501', 'new row violates row-level security policy "insert_requires_verified_email" for table "workspace_members"',
  'the rule reads the current state of the account');

select tests.clear_authentication();
select is((select count(*) from public.workspace_members where user_id = :'invitee'), 2::bigint,
  'the invitee has their own membership and the one the verified person added, nothing else');

select * from finish();
rollback;
