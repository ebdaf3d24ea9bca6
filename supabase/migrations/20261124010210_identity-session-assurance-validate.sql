-- Why: validate the aal check added NOT VALID by the previous migration; validation takes
-- only a SHARE UPDATE EXCLUSIVE lock, so sign-ins continue while it scans.
alter table identity.sessions validate constraint sessions_aal_values;
