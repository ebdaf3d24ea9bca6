-- Why: shared trigger functions and validators used by every tenant table.

-- Keeps created_at/updated_at honest whatever a client sends.
create function private.tg__timestamps() returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.created_at := now();
  else
    new.created_at := old.created_at;
  end if;
  new.updated_at := case when tg_op = 'INSERT' then new.created_at else greatest(now(), old.updated_at) end;
  return new;
end
$$;
comment on function private.tg__timestamps() is 'Sets created_at on insert and updated_at on every write; clients cannot forge either.';

-- An IANA zone name Postgres knows ("Europe/Berlin", "UTC"). Immutable in practice: the
-- answer only changes with a tzdata upgrade, which never removes a zone name.
create function private.is_valid_timezone(p_tz text) returns boolean
  language plpgsql immutable
  set search_path = ''
as $$
begin
  if p_tz is null then
    return true;
  end if;
  if p_tz !~ '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$' or char_length(p_tz) > 64 then
    return false;
  end if;
  perform now() at time zone p_tz;
  return true;
exception when invalid_parameter_value then
  return false;
end
$$;
-- Checks and generated columns run as the writing role; anon writes nothing.
grant execute on function private.is_valid_timezone(text) to authenticated, service_role;
