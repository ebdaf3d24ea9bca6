-- Why: second step of sessions_place_length (added NOT VALID in the previous migration,
-- so adding it took no long lock): validating scans without blocking writes.
alter table identity.sessions validate constraint sessions_place_length;
