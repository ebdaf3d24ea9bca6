-- Why: second step of 20261123233000: validate the new URL check (SHARE UPDATE EXCLUSIVE:
-- reads and writes go on while existing rows are checked), then drop the looser one.
alter table account.notifications validate constraint notifications_url_path;
alter table account.notifications drop constraint notifications_url_format;
