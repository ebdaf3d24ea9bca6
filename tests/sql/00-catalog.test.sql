-- The schema's standing rules, read from the catalog. Each assertion is a query that lists
-- the offending objects, so a failure names them. These cover tables and functions added
-- later too: a new table without RLS or off the Citus rules fails here before review.
begin;
select plan(14);

-- Row-level security: enabled AND forced (forced so the table owner, e.g. a migration or
-- a security-definer function, is not silently exempt), and at least one policy.
select is_empty($$
  select c.oid::regclass::text from pg_class c
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and not (c.relrowsecurity and c.relforcerowsecurity)
$$, 'every table in public has RLS enabled and forced');

select is_empty($$
  select c.oid::regclass::text from pg_class c
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and not exists (select 1 from pg_policy p where p.polrelid = c.oid)
$$, 'every table in public has at least one policy');

select is_empty($$
  select p.polname || ' on ' || p.polrelid::regclass::text from pg_policy p
  join pg_class c on c.oid = p.polrelid
  where c.relnamespace = 'public'::regnamespace
    and (p.polroles = '{0}' or exists (
      select 1 from unnest(p.polroles) r(oid)
      where r.oid not in ('authenticated'::regrole, 'anon'::regrole)
    ))
$$, 'every policy in public is TO authenticated or TO anon, never PUBLIC');

select is_empty($$
  select p.polname || ' on ' || p.polrelid::regclass::text from pg_policy p
  join pg_class c on c.oid = p.polrelid
  where c.relnamespace = 'public'::regnamespace
    and (p.polcmd = '*' or (p.polcmd = 'w' and (p.polqual is null or p.polwithcheck is null)))
$$, 'policies are one per command, and UPDATE policies have both USING and WITH CHECK');

-- Views run with their owner's rights unless security_invoker is set: they would bypass RLS.
select is_empty($$
  select c.oid::regclass::text from pg_class c
  where c.relnamespace = 'public'::regnamespace and c.relkind = 'v'
    and not coalesce('security_invoker=true' = any (c.reloptions)
                     or 'security_invoker=on' = any (c.reloptions), false)
$$, 'every view in public is security_invoker');

-- Citus: every table is distributed by workspace_id (workspaces itself by id), so each
-- key and every reference between tenant tables must carry it.
create temp table dist_cols on commit drop as
  select c.oid as relid, c.oid::regclass::text as tbl, a.attnum, a.attname
  from pg_class c
  left join pg_attribute a on a.attrelid = c.oid and not a.attisdropped
    and a.attname = case when c.oid = 'public.workspaces'::regclass then 'id' else 'workspace_id' end
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition;

select is_empty($$
  select d.tbl from dist_cols d
  left join pg_attribute a on a.attrelid = d.relid and a.attnum = d.attnum
  where a.attnum is null or not a.attnotnull or a.atttypid <> 'uuid'::regtype
$$, 'every table in public has a distribution column (workspace_id, or workspaces.id) uuid not null');

select is_empty($$
  select d.tbl || coalesce(' (primary key ' || pg_get_constraintdef(k.oid) || ')', ' (no primary key)')
  from dist_cols d
  left join pg_constraint k on k.conrelid = d.relid and k.contype = 'p'
  where k.oid is null or k.conkey[1] is distinct from d.attnum
$$, 'every primary key in public starts with the distribution column');

select is_empty($$
  select i.indexrelid::regclass::text from pg_index i
  join dist_cols d on d.relid = i.indrelid
  where i.indisunique and (d.attnum is null or not (d.attnum = any (i.indkey::int2[])))
$$, 'every unique constraint and unique index in public includes the distribution column');

select is_empty($$
  select k.conname || ' on ' || k.conrelid::regclass::text from pg_constraint k
  join dist_cols src on src.relid = k.conrelid
  join dist_cols dst on dst.relid = k.confrelid
  where k.contype = 'f'
    and not exists (
      select 1 from unnest(k.conkey, k.confkey) as pair(from_col, to_col)
      where pair.from_col = src.attnum and pair.to_col = dst.attnum
    )
$$, 'every foreign key between public tables pairs the distribution columns of both sides');

-- Functions.
select is_empty($$
  select p.oid::regprocedure::text from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
  where p.prosecdef
    and n.nspname not in ('pg_catalog', 'information_schema')
    and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
    and not exists (select 1 from unnest(p.proconfig) c
                    where c = 'search_path=""' or c ~ '^search_path=.*pg_temp$')
$$, 'every security-definer function has search_path '''' (or a fixed one ending in pg_temp)');

select is_empty($$
  select p.oid::regprocedure::text from pg_proc p
  where p.pronamespace = 'private'::regnamespace
    and has_function_privilege('anon', p.oid, 'execute')
$$, 'no function in private is executable by anon');

select is_empty($$
  select r.rolname || ': ' || s.nspname from pg_roles r
  cross join (values ('identity'), ('private')) s(nspname)
  where r.rolname in ('anon', 'authenticated')
    and has_schema_privilege(r.oid, s.nspname, 'usage')
$$, 'identity and private schemas are closed to anon and authenticated');

-- anon has no business with tenant data: nothing in public is granted to it.
select is_empty($$
  select c.oid::regclass::text || ': ' || pr.privilege_type
  from pg_class c
  cross join lateral aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) pr
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
    and pr.grantee in ('anon'::regrole, 0)
$$, 'anon (or PUBLIC) holds no privilege on any table or view in public');

select is_empty($$
  select c.oid::regclass::text || '.' || a.attname || ': ' || pr.privilege_type
  from pg_class c
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  cross join lateral aclexplode(a.attacl) pr
  where c.relnamespace = 'public'::regnamespace and pr.grantee in ('anon'::regrole, 0)
$$, 'anon (or PUBLIC) holds no column privilege in public');

select * from finish();
rollback;
