-- Outgoing webhooks: endpoints and deliveries are an owner/admin matter. For each table
-- and command: allowed for an owner/admin of workspace A, denied (hidden or 42501) for a
-- member and a guest of A, for the owner of B, and for anon; the signing secret is never
-- readable; the URL and the workspace of an endpoint cannot be changed after registration.
--
-- Workspace A: Alice (owner), Erin (admin), Dave (member), Carol (guest). Workspace B: Bob (owner).
begin;
select plan(30);

select tests.create_user('alice') as alice \gset
select tests.create_user('bob') as bob \gset
select tests.create_user('carol') as carol \gset
select tests.create_user('dave') as dave \gset
select tests.create_user('erin') as erin \gset
select tests.personal_workspace(:'alice') as ws_a \gset
select tests.personal_workspace(:'bob') as ws_b \gset
select tests.add_member(:'ws_a', :'erin', 'admin');
select tests.add_member(:'ws_a', :'dave', 'member');
select tests.add_member(:'ws_a', :'carol', 'guest');

-- ---------------------------------------------------------------------------------------
-- Registration.
select tests.authenticate_as(:'alice');
select id as ep_a, secret as secret_a
  from public.create_webhook_endpoint(:'ws_a', 'https://hooks.example.com/a', '{task.*}', 'A') \gset
select matches(:'secret_a'::text, '^whsec_[A-Za-z0-9_-]{43}$', 'the secret is whsec_ and 32 random bytes, base64url');
select tests.authenticate_as(:'erin');
select lives_ok(
  format($$select public.create_webhook_endpoint(%L, 'https://hooks.example.com/erin', '{project.archived}')$$, :'ws_a'),
  'an admin registers endpoints');
select tests.authenticate_as(:'dave');
select throws_ok(
  format($$select public.create_webhook_endpoint(%L, 'https://hooks.example.com/d', '{task.*}')$$, :'ws_a'),
  '42501', 'Only workspace owners and admins can manage webhooks.', 'a member cannot register an endpoint');
select tests.authenticate_as(:'carol');
select throws_ok(
  format($$select public.create_webhook_endpoint(%L, 'https://hooks.example.com/c', '{task.*}')$$, :'ws_a'),
  '42501', null, 'a guest cannot register an endpoint');
select tests.authenticate_as(:'bob');
select throws_ok(
  format($$select public.create_webhook_endpoint(%L, 'https://hooks.example.com/b', '{task.*}')$$, :'ws_a'),
  '42501', null, 'an outsider cannot register an endpoint in A');
select tests.authenticate_as_anon();
select throws_ok(
  format($$select public.create_webhook_endpoint(%L, 'https://hooks.example.com/x', '{task.*}')$$, :'ws_a'),
  '42501', null, 'anon cannot call the RPC');
select tests.authenticate_as(:'alice');
select throws_ok(
  format($$select public.create_webhook_endpoint(%L, 'https://192.168.1.10/hook', '{task.*}')$$, :'ws_a'),
  '22023', null, 'a private address is refused');
select throws_ok(
  $$insert into public.webhook_endpoints (workspace_id, url, event_types) values (tests.personal_workspace(auth.uid()), 'https://x.example', '{task.*}')$$,
  '42501', null, 'endpoints are not inserted directly (only through the RPC)');

-- ---------------------------------------------------------------------------------------
-- Reading.
select tests.authenticate_as(:'alice');
select results_eq(format('select count(*)::int from public.webhook_endpoints where workspace_id = %L', :'ws_a'),
  array[2], 'the owner sees the workspace''s endpoints');
select tests.authenticate_as(:'erin');
select results_eq(format('select count(*)::int from public.webhook_endpoints where workspace_id = %L', :'ws_a'),
  array[2], 'an admin sees them');
select tests.authenticate_as(:'dave');
select is_empty('select * from public.webhook_endpoints', 'a member sees no endpoint');
select tests.authenticate_as(:'carol');
select is_empty('select * from public.webhook_endpoints', 'a guest sees no endpoint');
select tests.authenticate_as(:'bob');
select is_empty('select * from public.webhook_endpoints', 'an outsider sees no endpoint of A');
select tests.authenticate_as_anon();
select throws_ok('select * from public.webhook_endpoints', '42501', null, 'anon cannot read endpoints');

-- Deliveries (created by the worker's fan-out; here directly as the owner).
reset role;
insert into public.tasks (workspace_id, title) values (:'ws_a', 'hooked');
select private.enqueue_webhook_deliveries(:'ws_a', e.id, e.type) from events.log e
where e.workspace_id = :'ws_a' and e.type = 'task.created';
select tests.authenticate_as(:'erin');
select results_eq(format('select count(*)::int from public.webhook_deliveries where workspace_id = %L', :'ws_a'),
  array[1], 'an admin reads the delivery log (the task.* endpoint got one; the project one none)');
select tests.authenticate_as(:'dave');
select is_empty('select * from public.webhook_deliveries', 'a member reads no delivery');
select tests.authenticate_as(:'bob');
select is_empty('select * from public.webhook_deliveries', 'an outsider reads no delivery');
select throws_ok(
  format($$update public.webhook_deliveries set status = 'succeeded' where workspace_id = %L$$, :'ws_a'),
  '42501', null, 'nobody writes the log through the APIs');

-- ---------------------------------------------------------------------------------------
-- The secret.
select tests.authenticate_as(:'alice');
select throws_ok('select * from private.webhook_endpoint_secrets', '42501', null, 'the owner cannot read secrets');
select results_ne(format('select public.rotate_webhook_secret(%L)', :'ep_a'), format('values (%L)', :'secret_a'),
  'rotating returns a new secret');
select tests.authenticate_as(:'dave');
select throws_ok(format('select public.rotate_webhook_secret(%L)', :'ep_a'), 'PT404', null,
  'a member cannot rotate (the endpoint looks absent)');

-- ---------------------------------------------------------------------------------------
-- Updating and deleting.
select tests.authenticate_as(:'dave');
select is_empty(format($$update public.webhook_endpoints set enabled = false where id = %L returning id$$, :'ep_a'),
  'a member cannot pause an endpoint');
select tests.authenticate_as(:'erin');
select results_eq(
  format($$update public.webhook_endpoints set enabled = false where id = %L returning enabled, disabled_at is not null$$, :'ep_a'),
  $$values (false, true)$$, 'an admin pauses an endpoint; disabled_at is stamped');
select results_eq(
  format($$update public.webhook_endpoints set enabled = true where id = %L returning disabled_at, disabled_reason$$, :'ep_a'),
  $$values (null::timestamptz, null::text)$$, 'enabling clears the disabled state');
select throws_ok(format($$update public.webhook_endpoints set url = 'https://127.0.0.1/' where id = %L$$, :'ep_a'),
  '42501', null, 'the URL cannot be changed (it was validated at registration)');
select throws_ok(format($$update public.webhook_endpoints set workspace_id = %L where id = %L$$, :'ws_b', :'ep_a'),
  '42501', null, 'an endpoint cannot move to another workspace');
select throws_ok(format($$update public.webhook_endpoints set event_types = '{Task}' where id = %L$$, :'ep_a'),
  '23514', null, 'event types keep their format');
select tests.authenticate_as(:'bob');
select is_empty(format($$delete from public.webhook_endpoints where id = %L returning id$$, :'ep_a'),
  'an outsider cannot delete an endpoint of A');
select tests.authenticate_as(:'alice');
select results_eq(format($$delete from public.webhook_endpoints where id = %L returning id$$, :'ep_a'),
  format('values (%L::uuid)', :'ep_a'), 'the owner deletes an endpoint');
reset role;
select is_empty(format('select * from public.webhook_deliveries where endpoint_id = %L', :'ep_a'),
  'its deliveries go with it');

select * from finish();
rollback;
