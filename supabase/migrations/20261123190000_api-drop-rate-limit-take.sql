-- Why: contract step of 20261123170080. Since then the gateway takes rate-limit units only
-- through private.rate_limit_take_many() (gateway/src/api/rate-limit.ts, commit e3feb35);
-- private.rate_limit_take() was left as its n = 1 wrapper and nothing calls it any more.
-- Dropping it leaves one security-definer entry point to the buckets. A gateway still
-- calling it would fail open (its limiter logs a warning and lets requests through), never
-- refuse service.
drop function private.rate_limit_take(text, integer, integer);
