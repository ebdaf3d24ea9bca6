-- Why: notifications_url_format (`^/[^/]`) let `/\host` through. Browsers treat a backslash
-- like a slash in URLs, so `/\evil.example` in an in-app link would leave the site. The
-- new check also refuses a backslash as the second character (the mail templates already
-- refuse it). Safe under traffic: the new constraint is added NOT VALID (no scan, a brief
-- lock), validated in its own migration, and only then is the old one dropped.
alter table account.notifications
  add constraint notifications_url_path check (url ~ '^/[^/\\]' and char_length(url) <= 500) not valid;
