// The settings rules live in #lib/settings/schemas.ts, shared with the browser.
export * from '#lib/settings/schemas.ts';
