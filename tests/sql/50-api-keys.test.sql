-- API keys: creation through public.create_api_key() (who may, with what role and expiry),
-- the secret never readable, revocation by the creator or an admin only, the gateway's
-- lookup private.authenticate_api_key(), and, above all, the scope a key's claims give:
-- one workspace even when its creator belongs to several, no writes for a read key, no
-- admin rights for any key.
--
-- Workspace A: Alice (owner), Dave (member), Carol (guest). Workspace B: Bob (owner),
-- Alice (member).
begin;
select plan(49);

-- Acting as an API key, the way the gateway sets claims for one (gateway/src/api/api-keys.ts).
create function tests.authenticate_as_key(p_user_id uuid, p_key_id uuid, p_workspace_id uuid, p_role text)
  returns void
  language plpgsql volatile
as $$
declare
  v_claims jsonb := jsonb_build_object('sub', p_user_id, 'role', 'authenticated', 'api_key_id', p_key_id,
    'workspace_id', p_workspace_id, 'workspace_role', p_role);
begin
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims', v_claims::text, true);
  perform set_config('request.jwt.claim.sub', p_user_id::text, true);
  perform set_config('request.jwt.claim.role', 'authenticated', true);
end
$$;
grant execute on function tests.authenticate_as_key(uuid, uuid, uuid, text) to anon, authenticated;

select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset
select tests.create_user('carol') as carol \gset
select tests.create_user('dave') as dave \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.add_member(:'ws_a', :'dave', 'member');
-- Creating keys needs a verified email (issue 6); 45-mfa tests the refusal.
update identity.users set email_verified = true where id in (:'alice', :'bob', :'carol', :'dave');
select tests.add_member(:'ws_a', :'carol', 'guest');
select tests.add_member(:'ws_b', :'alice', 'member');
insert into public.tasks (workspace_id, title) values (:'ws_a', 'task in A'), (:'ws_b', 'task in B');

-- ---------------------------------------------------------------------------------------
-- Creating keys.
select tests.authenticate_as(:'alice');
select id as key_aw, key as secret_aw, prefix as prefix_aw
  from public.create_api_key(:'ws_a', 'CI for A', 'write') \gset
select id as key_br, key as secret_br from public.create_api_key(:'ws_b', 'Reports on B', 'read') \gset

select matches(:'secret_aw'::text, '^tm_[A-Za-z0-9_-]{43}$', 'a key is tm_ and 43 base64url characters (32 bytes)');
select is(:'prefix_aw'::text, left(:'secret_aw', 11), 'the displayed prefix is the start of the key');
select results_eq(
  format('select role, expires_at from public.api_keys where id = %L', :'key_aw'),
  $$values ('write'::text, now() + interval '90 days')$$,
  'a new key has the asked role and expires in 90 days by default');
select isnt(:'secret_aw'::text, :'secret_br'::text, 'every key is different');

select throws_ok(
  format($$select public.create_api_key(%L, 'too long', 'read', now() + interval '13 months')$$, :'ws_a'),
  '23514', null, 'a key cannot live longer than a year');
select throws_ok(
  format($$select public.create_api_key(%L, 'past', 'read', now() - interval '1 day')$$, :'ws_a'),
  '23514', null, 'a key cannot expire in the past');
select throws_ok(
  format($$select public.create_api_key(%L, 'boss', 'admin')$$, :'ws_a'),
  '23514', null, 'a key role is read or write, nothing else');
select throws_ok(
  format($$select public.create_api_key(%L, e' \t ', 'read')$$, :'ws_a'),
  '23514', null, 'a key needs a visible name');

select tests.authenticate_as(:'bob');
select throws_ok(
  format($$select public.create_api_key(%L, 'intruder', 'read')$$, :'ws_a'),
  '42501', 'You are not a member of this workspace.', 'nobody creates a key for a workspace they do not belong to');

select tests.authenticate_as(:'carol');
select throws_ok(
  format($$select public.create_api_key(%L, 'guest write', 'write')$$, :'ws_a'),
  '42501', 'Guests can only create read keys.', 'a guest cannot create a write key');
select lives_ok(
  format($$select public.create_api_key(%L, 'guest read', 'read')$$, :'ws_a'),
  'a guest can create a read key');

select tests.authenticate_as_anon();
select throws_ok(
  format($$select public.create_api_key(%L, 'anon', 'read')$$, :'ws_a'),
  '42501', null, 'anon cannot create keys');

-- A key cannot mint keys, not even a write key for its own workspace.
select tests.authenticate_as_key(:'alice', :'key_aw', :'ws_a', 'write');
select throws_ok(
  format($$select public.create_api_key(%L, 'child', 'read')$$, :'ws_a'),
  '42501', 'An API key cannot create API keys.', 'a request made with an API key cannot create keys');

-- ---------------------------------------------------------------------------------------
-- Nothing secret is readable, and rows change only through the function and revocation.
select tests.authenticate_as(:'alice');
select is_empty($$
  select attname from pg_attribute
  where attrelid = 'public.api_keys'::regclass and attnum > 0 and attname ~* 'secret|hash|key$'
$$, 'public.api_keys has no secret column: select * is safe');
select throws_ok('select * from private.api_key_secrets', '42501', 'permission denied for schema private',
  'members cannot read the stored hashes');
select throws_ok(
  format($$select * from private.authenticate_api_key(%L)$$, encode(sha256(convert_to(:'secret_aw', 'UTF8')), 'hex')),
  '42501', 'permission denied for schema private', 'members cannot call the gateway''s lookup');
select throws_ok(
  format($$insert into public.api_keys (workspace_id, name, role, prefix, created_by) values (%L, 'raw', 'write', 'tm_abcdefgh', %L)$$, :'ws_a', :'alice'),
  '42501', 'permission denied for table api_keys', 'keys are not inserted directly');
select throws_ok(
  format($$update public.api_keys set role = 'write' where id = %L$$, :'key_br'),
  '42501', 'permission denied for table api_keys', 'a key''s role cannot be raised');
select throws_ok(
  format($$update public.api_keys set expires_at = now() + interval '10 years' where id = %L$$, :'key_aw'),
  '42501', 'permission denied for table api_keys', 'a key''s expiry cannot be extended');
select throws_ok(
  format($$delete from public.api_keys where id = %L$$, :'key_aw'),
  '42501', 'permission denied for table api_keys', 'keys are revoked, not deleted');

select tests.clear_authentication();
select is((select s.secret_hash from private.api_key_secrets s where s.api_key_id = :'key_aw'),
  encode(sha256(convert_to(:'secret_aw', 'UTF8')), 'hex'), 'only the sha256 of the key is stored');

-- ---------------------------------------------------------------------------------------
-- Who sees which keys.
select tests.authenticate_as(:'carol');
select ok((select count(*) from public.api_keys where id = :'key_aw') = 1, 'a guest of A sees A''s keys');
select is_empty(format('select id from public.api_keys where id = %L', :'key_br'), 'a guest of A does not see B''s keys');
select tests.authenticate_as(:'bob');
select is_empty(format('select id from public.api_keys where id = %L', :'key_aw'), 'a member of B only does not see A''s keys');

-- ---------------------------------------------------------------------------------------
-- Scope of a write key for A (Alice also belongs to B).
select tests.authenticate_as_key(:'alice', :'key_aw', :'ws_a', 'write');
select set_eq('select id from public.workspaces', format('values (%L::uuid)', :'ws_a'),
  'a key sees only its workspace, though its creator belongs to two');
select set_eq('select title from public.tasks', $$values ('task in A')$$, 'a key sees only its workspace''s tasks');
select isnt_empty(
  format($$insert into public.tasks (workspace_id, title) values (%L, 'by key') returning id$$, :'ws_a'),
  'a write key writes in its workspace');
select throws_ok(
  format($$insert into public.tasks (workspace_id, title) values (%L, 'by key in B') returning id$$, :'ws_b'),
  '42501', null, 'a write key cannot write in another workspace of its creator');
select is_empty(
  format($$update public.workspaces set name = 'renamed by key' where id = %L returning id$$, :'ws_a'),
  'a key is never an admin: it cannot rename the workspace its owner could');
select is_empty(
  format($$update public.api_keys set revoked_at = now() where id = %L returning id$$, :'key_aw'),
  'a key cannot revoke keys, not even itself');

-- Claims of a key without a workspace see nothing (never "all of the creator's").
select tests.authenticate_as_key(:'alice', :'key_aw', null, 'write');
select is_empty('select id from public.workspaces', 'key claims without a workspace see nothing');

-- ---------------------------------------------------------------------------------------
-- Scope of a read key for B.
select tests.authenticate_as_key(:'alice', :'key_br', :'ws_b', 'read');
select set_eq('select title from public.tasks', $$values ('task in B')$$, 'a read key reads its workspace');
select throws_ok(
  format($$insert into public.tasks (workspace_id, title) values (%L, 'by read key')$$, :'ws_b'),
  '42501', null, 'a read key cannot insert');
select is_empty($$update public.tasks set title = 'changed by read key' returning id$$, 'a read key cannot update');
select is_empty($$delete from public.tasks returning id$$, 'a read key cannot delete');

-- A write key is never worth more than its creator's membership: Dave, demoted to guest.
select tests.authenticate_as(:'dave');
select id as key_dw from public.create_api_key(:'ws_a', 'Dave write', 'write') \gset
select id as key_dw2 from public.create_api_key(:'ws_a', 'Dave second', 'write') \gset
select tests.clear_authentication();
update public.workspace_members set role = 'guest' where workspace_id = :'ws_a' and user_id = :'dave';
select tests.authenticate_as_key(:'dave', :'key_dw', :'ws_a', 'write');
select throws_ok(
  format($$insert into public.tasks (workspace_id, title) values (%L, 'by demoted')$$, :'ws_a'),
  '42501', null, 'a write key of a creator demoted to guest cannot write');
select tests.clear_authentication();
update public.workspace_members set role = 'member' where workspace_id = :'ws_a' and user_id = :'dave';

-- ---------------------------------------------------------------------------------------
-- Revocation: the creator or an admin, nobody else; final; timed by the database.
select tests.authenticate_as(:'carol');
select is_empty(format($$update public.api_keys set revoked_at = now() where id = %L returning id$$, :'key_dw'),
  'a guest cannot revoke someone else''s key');
select tests.authenticate_as(:'bob');
select is_empty(format($$update public.api_keys set revoked_at = now() where id = %L returning id$$, :'key_dw'),
  'an outsider cannot revoke a key');
select tests.authenticate_as(:'dave');
select results_eq(
  format($$update public.api_keys set revoked_at = '2099-01-01' where id = %L returning revoked_at$$, :'key_dw'),
  $$values (now())$$, 'the creator revokes their key, at the time of revocation whatever was sent');
select is_empty(
  format($$update public.api_keys set revoked_at = now() where id = %L returning id$$, :'key_aw'),
  'a member cannot revoke a colleague''s key');
select tests.authenticate_as(:'alice');
select isnt_empty(format($$update public.api_keys set revoked_at = now() where id = %L returning id$$, :'key_dw2'),
  'an owner revokes a member''s key');
select tests.authenticate_as(:'dave');
update public.api_keys set revoked_at = null where id = :'key_dw';
select isnt((select revoked_at from public.api_keys where id = :'key_dw'), null, 'a revoked key stays revoked');

-- ---------------------------------------------------------------------------------------
-- The gateway's lookup (runs as the owner).
select tests.clear_authentication();
create temp table lookup on commit drop as
  select k.id, encode(sha256(convert_to(v.secret, 'UTF8')), 'hex') as hash
  from (values (:'key_aw'::uuid, :'secret_aw'), (:'key_br'::uuid, :'secret_br')) v(id, secret)
  join public.api_keys k on k.id = v.id;

select results_eq(
  format('select api_key_id, workspace_id, user_id, role from private.authenticate_api_key(%L)',
    (select hash from lookup where id = :'key_aw')),
  format('values (%L::uuid, %L::uuid, %L::uuid, %L::text)', :'key_aw', :'ws_a', :'alice', 'write'),
  'a valid key resolves to its key, workspace, creator and role');
select is((select last_used_at from public.api_keys where id = :'key_aw'), now(), 'resolving marks the key used');

update public.api_keys set last_used_at = now() - interval '30 seconds' where id = :'key_aw';
select private.authenticate_api_key((select hash from lookup where id = :'key_aw'));
select is((select last_used_at from public.api_keys where id = :'key_aw'), now() - interval '30 seconds',
  'last_used_at is written at most once a minute');

select is_empty(format('select * from private.authenticate_api_key(%L)', repeat('0', 64)), 'an unknown key resolves to nothing');

-- Expired: created two days ago, expired yesterday (triggers off to back-date created_at).
set local session_replication_role = replica;
update public.api_keys set created_at = now() - interval '2 days', expires_at = now() - interval '1 day'
  where id = :'key_br';
set local session_replication_role = origin;
select is_empty(format('select * from private.authenticate_api_key(%L)', (select hash from lookup where id = :'key_br')),
  'an expired key resolves to nothing');
update public.api_keys set expires_at = now() + interval '1 day' where id = :'key_br';

-- The creator leaves the workspace: the key stops working.
delete from public.workspace_members where workspace_id = :'ws_b' and user_id = :'alice';
select is_empty(format('select * from private.authenticate_api_key(%L)', (select hash from lookup where id = :'key_br')),
  'a key whose creator left the workspace resolves to nothing');

update public.api_keys set revoked_at = now() where id = :'key_aw';
select is_empty(format('select * from private.authenticate_api_key(%L)', (select hash from lookup where id = :'key_aw')),
  'a revoked key resolves to nothing');

select * from finish();
rollback;
