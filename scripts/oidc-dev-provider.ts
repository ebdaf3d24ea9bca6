// A local OpenID Provider for development and the browser tests: the real `oidc-provider`
// (tests/support/oidc-provider.ts) with one client for TaskMaster, so "Continue with …"
// can be tried without a Google or GitHub app. Its login page accepts any login: the login
// becomes the account's email, verified unless it starts with "unverified".
//
//   npm run oidc:dev                     # http://127.0.0.1:54326, prints the OIDC_PROVIDERS line
//   (put that line in .env, then npm start)
//
// Options: --port <n> (0 = any free port; default OIDC_DEV_PROVIDER_PORT or 54326),
// --write-env <path> (write `OIDC_PROVIDERS='…'` there once listening, for scripts),
// --exit-with-parent (stop when the process that started it is gone).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startOidcTestProvider } from '../tests/support/oidc-provider.ts';

export const DEV_PROVIDER_ID = 'dev-oidc';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'write-env': { type: 'string' },
    'exit-with-parent': { type: 'boolean', default: false },
  },
});

const options = z
  .object({
    port: z.coerce.number().int().min(0).max(65535),
    publicUrl: z.url(),
  })
  .parse({
    port: values.port ?? process.env.OIDC_DEV_PROVIDER_PORT ?? 54326,
    publicUrl: process.env.PUBLIC_URL ?? 'http://localhost:54321',
  });

const redirectUri = new URL(`/auth/callback/${DEV_PROVIDER_ID}`, options.publicUrl).toString();
const op = await startOidcTestProvider({
  port: options.port,
  redirectUris: [redirectUri],
  clientId: 'taskmaster-dev',
  clientSecret: 'taskmaster-dev-oidc-client-secret',
});
const providers = JSON.stringify([
  {
    id: DEV_PROVIDER_ID,
    name: 'Dev OpenID',
    discoveryUrl: op.discoveryUrl,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
  },
]);
if (values['write-env']) writeFileSync(values['write-env'], `OIDC_PROVIDERS='${providers}'\n`);
process.stdout.write(`oidc-dev-provider: ${op.issuer} (redirect URI ${redirectUri})\nOIDC_PROVIDERS='${providers}'\n`);

const stop = () => {
  void op.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (values['exit-with-parent']) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 500);
}
