// Configuration is read once, validated, and frozen. A missing or malformed variable
// stops the process with a message that names it, before anything listens or connects.
import { hkdfSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** "a, b,,c" → ["a", "b", "c"]: list-valued settings are comma-separated. */
const commaList = (v: string) =>
  v
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** The development/test mail capture server's SMTP address (scripts/mail-capture.ts). */
export const DEV_SMTP_URL = 'smtp://127.0.0.1:54325';

/** Built-in OAuth providers (Better Auth socialProviders) and their env prefixes. */
export const BUILT_IN_OAUTH_PROVIDERS = ['google', 'github', 'microsoft'] as const;

/** One generic OpenID Connect provider of OIDC_PROVIDERS. */
const oidcProviderSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'ids are 1-40 characters of a-z, 0-9 and -')
    .refine((id) => !(BUILT_IN_OAUTH_PROVIDERS as readonly string[]).includes(id), 'this id is a built-in provider'),
  name: z.string().trim().min(1).max(60),
  discoveryUrl: z.url().refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL'),
  clientId: z.string().min(1).max(500),
  clientSecret: z.string().min(1).max(2000),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'scopes are single tokens'))
    .max(20)
    .optional(),
});
export type OidcProviderConfig = z.infer<typeof oidcProviderSchema>;

const postgresUrl = z.string().refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    DATABASE_URL: postgresUrl.optional(),
    PGPORT: z.coerce.number().int().min(1).max(65535).default(54322),
    POSTGRES_PASSWORD: z.string().min(12).optional(),
    AUTHENTICATOR_PASSWORD: z.string().min(12, 'must be at least 12 characters'),
    AUTHENTICATOR_URL: postgresUrl.optional(),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(54321),
    PUBLIC_URL: z.url().default('http://localhost:54321'),
    BETTER_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(900).default(900),
    /** Days between an account's deletion and the erasure of the workspaces only it belonged to. */
    ACCOUNT_ERASURE_DELAY_DAYS: z.coerce.number().int().min(0).max(365).default(30),
    // --- Sessions and signing keys (lib/auth/sessions.ts, lib/auth/keys.ts) ---
    /** A session unused this long ends (sliding: each use within it pushes the end out). */
    SESSION_IDLE_TIMEOUT_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(400 * 86_400)
      .default(30 * 86_400),
    /** A session ends this long after sign-in however active it is; at least the idle timeout. */
    SESSION_ABSOLUTE_LIFETIME_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(400 * 86_400)
      .default(90 * 86_400),
    /** Server-side lifetime of a session signed in without "remember me" (browser-session cookie). */
    SESSION_NO_REMEMBER_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(86_400)
      .default(12 * 3600),
    /**
     * Request header the edge proxy sets to the caller's place (e.g. cf-ipcountry, x-geo-city),
     * shown in the sessions list. Unset: no place is recorded. Only name a header your proxy
     * overwrites on every request; a client can send any header.
     */
    SESSION_PLACE_HEADER: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, 'a lowercase header name')
      .optional(),
    /** How long a refresh token (API clients) stays valid if unused; never beyond its session. */
    REFRESH_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(400 * 86_400)
      .default(30 * 86_400),
    /**
     * A new signing key is published in the JWKS this long before it signs anything. Must
     * exceed every verifier's JWKS cache (the gateway's is 60 s).
     */
    JWT_KEY_PUBLISH_LEAD_SECONDS: z.coerce
      .number()
      .int()
      .min(61)
      .max(7 * 86_400)
      .default(600),
    /** Clock skew allowed between us and verifiers when deciding a retired key's tokens are all expired. */
    JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    // --- Worker classes, backpressure, crash recovery (docs/jobs.md) ---
    /** Concurrency of the webhooks runner (outgoing HTTP: mostly waiting). */
    WORKER_WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
    /** Concurrency of the background runner (analytics, purges): never starves critical work. */
    WORKER_BACKGROUND_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    /** A worker process silent for this long is dead: its locked jobs are freed and run again. */
    WORKER_LOCK_TIMEOUT_MS: z.coerce.number().int().min(1000).max(14_400_000).default(120_000),
    /** How often a worker writes its heartbeat and looks for dead workers' jobs. */
    WORKER_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    /** How often the worker measures ready-queue depth (private.queue_pressure / queue_classes). */
    WORKER_PRESSURE_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
    /** Fallback poll when no LISTEN/NOTIFY wake-up arrives (scheduled jobs, recovered locks). */
    WORKER_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
    /**
     * Comma-separated task names this worker runs (others stay queued for another worker);
     * unset, every task. The browser tests run a worker for auth__mail only, so the specs
     * written for a queue nobody drains keep their assumptions.
     */
    WORKER_TASKS: z
      .string()
      .regex(/^[a-z_]+(,[a-z_]+)*$/, 'comma-separated task names')
      .optional(),
    /** Bearer token for GET /metrics; unset, /metrics answers loopback callers only. */
    METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Milliseconds the gateway trusts its last reading of the critical queue's pressure. */
    QUEUE_PRESSURE_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
    /** A REST POST/upsert of more rows than this is a bulk operation (shed under pressure). */
    API_BULK_ROWS: z.coerce.number().int().min(1).max(100_000).default(100),
    /**
     * Connections the gateway opens for callers' data (the authenticator pool). More than
     * a few per database core only adds queueing inside Postgres (docs/performance.md).
     */
    API_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
    // --- Data APIs (/rest/v1, /graphql) ---
    /** Schemas the data APIs expose, first is the default profile (PostgREST's db-schemas). */
    API_SCHEMAS: z
      .string()
      .default('public')
      .transform(commaList)
      .pipe(z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'schema names are lowercase identifiers')).min(1)),
    /** The role unauthenticated requests run as (PostgREST's db-anon-role). */
    API_ANON_ROLE: z.enum(['anon']).default('anon'),
    /**
     * The public key clients send in `apikey` (Supabase's publishable/anon key). It only
     * identifies the project: a request carrying it and nothing else runs as the anon role.
     */
    API_PUBLISHABLE_KEY: z.string().min(16).default('tm_publishable_local_development_key'),
    /** Origins allowed to call the APIs from a browser; PUBLIC_URL's origin is always allowed. */
    CORS_ORIGINS: z.string().default('').transform(commaList).pipe(z.array(z.url())),
    /** Largest request body the APIs accept, in bytes. */
    API_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    /** Most rows one REST read returns (PostgREST's db-max-rows). */
    API_MAX_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    /** statement_timeout of every REST/GraphQL request's transaction, in ms. */
    API_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    /**
     * How long the gateway may keep trusting an API key it has looked up, in ms: the bound
     * on how late a revocation takes effect. 0 looks every key up on every request.
     */
    API_KEY_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
    // Rate limits of the data APIs, requests per minute per bucket (an anonymous client IP,
    // a signed-in user, an API key); 0 turns that limit off. Enforced in Postgres
    // (private.rate_limit_take_many), so they hold across gateway processes.
    RATE_LIMIT_ANON_PER_MINUTE: z.coerce.number().int().min(0).max(6_000_000).default(120),
    RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(0).max(6_000_000).default(600),
    RATE_LIMIT_API_KEY_PER_MINUTE: z.coerce.number().int().min(0).max(6_000_000).default(1200),
    // --- Identity abuse protection (lib/auth/abuse-plugin.ts, docs/adr: limits and lockout) ---
    /** Attempts per client IP per window on each identity action (sign-in, sign-up, reset…); 0 = off. */
    AUTH_RATE_LIMIT_IP: z.coerce.number().int().min(0).max(1_000_000_000).default(30),
    /** Attempts per account (the submitted email, known or not) per window on each action; 0 = off. */
    AUTH_RATE_LIMIT_ACCOUNT: z.coerce.number().int().min(0).max(1_000_000_000).default(10),
    /** Length of the identity rate-limit window, in seconds. */
    AUTH_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    /** From this many failed sign-ins on an account, the next must wait 2^(n-this) s (capped). */
    AUTH_DELAY_AFTER_FAILURES: z.coerce.number().int().min(1).max(1_000_000).default(3),
    /** Cap of the progressive delay between failed sign-ins, in seconds. */
    AUTH_DELAY_MAX_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    /** This many failed sign-ins inside AUTH_FAILURE_WINDOW_SECONDS lock the account. */
    AUTH_LOCKOUT_THRESHOLD: z.coerce.number().int().min(2).max(1_000_000).default(10),
    /** The window in which failed sign-ins are counted, in seconds. */
    AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    /** How long a lockout lasts, in seconds. Password reset by email stays possible. */
    AUTH_LOCKOUT_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    // --- Ingest endpoints (/api/v1/bug-reports, /api/v1/telemetry; gateway/src/ingest) ---
    /** Largest bug report body in bytes: a 2 MiB screenshot data URL plus the rest. */
    BUG_REPORT_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(2_621_440),
    /** Bug reports per minute per caller (user, API key, or anonymous IP); 0 = unlimited. */
    RATE_LIMIT_BUG_REPORTS_PER_MINUTE: z.coerce.number().int().min(0).max(6_000_000).default(10),
    /** Largest telemetry beacon in bytes (a batch of up to 50 events). */
    TELEMETRY_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(131_072),
    /** Telemetry beacons per minute per client IP; 0 = unlimited. */
    RATE_LIMIT_TELEMETRY_PER_MINUTE: z.coerce.number().int().min(0).max(6_000_000).default(120),
    /**
     * Proxies whose X-Forwarded-For is believed (IPs or CIDRs, comma-separated). Empty: the
     * client IP is the socket's peer address and X-Forwarded-For is ignored.
     */
    TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform(commaList)
      .pipe(z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]))),
    // --- Email (lib/mail; sent by the worker task mail__send) ---
    /**
     * Where mail goes: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465.
     * Unset in development and tests: the project's capture server (scripts/mail-capture.ts,
     * smtp://127.0.0.1:54325), which keeps every message for reading at MAIL_CAPTURE_PORT.
     * Required in production.
     */
    SMTP_URL: z
      .url()
      .refine((v) => /^smtps?:\/\//.test(v), 'must be an smtp:// or smtps:// URL')
      .optional(),
    /** The From of every email, e.g. "TaskMaster <notifications@example.com>". Required in production. */
    MAIL_FROM: z.string().min(3).max(200).optional(),
    /**
     * Signs one-click unsubscribe links (HMAC-SHA256); 32+ characters. Unset: derived from
     * BETTER_AUTH_SECRET (HKDF), so links stay valid across restarts. Rotating it breaks
     * the unsubscribe links of emails already sent.
     */
    UNSUBSCRIBE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** HTTP port of the development mail capture page (npm start, development only). */
    MAIL_CAPTURE_PORT: z.coerce.number().int().min(0).max(65535).default(54324),
    // --- Sign-in with OAuth 2.0 / OpenID Connect (lib/auth/oauth.ts, docs/adr) ---
    // Each built-in provider is on only when both its client id and secret are set.
    GOOGLE_CLIENT_ID: z.string().min(1).optional(),
    GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
    GITHUB_CLIENT_ID: z.string().min(1).optional(),
    GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
    MICROSOFT_CLIENT_ID: z.string().min(1).optional(),
    MICROSOFT_CLIENT_SECRET: z.string().min(1).optional(),
    /** Microsoft Entra tenant: a tenant id or domain, or common / organizations / consumers. */
    MICROSOFT_TENANT_ID: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,100}$/, 'a tenant id, a domain, or common / organizations / consumers')
      .default('common'),
    /**
     * Any number of OpenID Connect providers, as a JSON array of
     * {"id","name","discoveryUrl","clientId","clientSecret","scopes"?}; ids are lowercase
     * (a-z, 0-9, -) and name the callback: <PUBLIC_URL>/auth/callback/<id>.
     */
    OIDC_PROVIDERS: z
      .string()
      .default('[]')
      .transform((v, ctx) => {
        try {
          return JSON.parse(v) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON array' });
          return z.NEVER;
        }
      })
      .pipe(z.array(oidcProviderSchema)),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production') {
      if (!env.SMTP_URL) ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'required in production' });
      if (!env.MAIL_FROM) ctx.addIssue({ code: 'custom', path: ['MAIL_FROM'], message: 'required in production' });
    }
    for (const provider of ['GOOGLE', 'GITHUB', 'MICROSOFT'] as const) {
      const id = env[`${provider}_CLIENT_ID`];
      const secret = env[`${provider}_CLIENT_SECRET`];
      if (Boolean(id) !== Boolean(secret)) {
        ctx.addIssue({
          code: 'custom',
          path: [id ? `${provider}_CLIENT_SECRET` : `${provider}_CLIENT_ID`],
          message: `set both ${provider}_CLIENT_ID and ${provider}_CLIENT_SECRET, or neither`,
        });
      }
    }
    const ids = env.OIDC_PROVIDERS.map((p) => p.id);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_PROVIDERS'], message: `provider id "${duplicate}" appears twice` });
    }
    if (env.SESSION_ABSOLUTE_LIFETIME_SECONDS < env.SESSION_IDLE_TIMEOUT_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_ABSOLUTE_LIFETIME_SECONDS'],
        message: 'must be at least SESSION_IDLE_TIMEOUT_SECONDS',
      });
    }
    if (!env.DATABASE_URL && !env.POSTGRES_PASSWORD) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'set DATABASE_URL, or POSTGRES_PASSWORD for the project-managed cluster',
      });
    }
  });

export type Config = Readonly<
  z.infer<typeof schema> & {
    databaseUrl: string;
    authenticatorUrl: string;
    isProduction: boolean;
    /** SMTP_URL, or the local capture server outside production. */
    smtpUrl: string;
    /** MAIL_FROM, or a local default outside production. */
    mailFrom: string;
    /** UNSUBSCRIBE_SECRET, or a key derived from BETTER_AUTH_SECRET. */
    unsubscribeSecret: string;
  }
>;

/** Replace user and password of a connection URL, keeping host, port, database, params. */
export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = result.data;
  const databaseUrl =
    c.DATABASE_URL ??
    `postgres://postgres:${encodeURIComponent(c.POSTGRES_PASSWORD ?? '')}@127.0.0.1:${c.PGPORT}/taskmaster`;
  const authenticatorUrl =
    c.AUTHENTICATOR_URL ?? withCredentials(databaseUrl, 'authenticator', c.AUTHENTICATOR_PASSWORD);
  return Object.freeze({
    ...c,
    databaseUrl,
    authenticatorUrl,
    isProduction: c.NODE_ENV === 'production',
    smtpUrl: c.SMTP_URL ?? DEV_SMTP_URL,
    mailFrom: c.MAIL_FROM ?? `TaskMaster <notifications@${new URL(c.PUBLIC_URL).hostname}>`,
    unsubscribeSecret:
      c.UNSUBSCRIBE_SECRET ??
      Buffer.from(hkdfSync('sha256', c.BETTER_AUTH_SECRET, '', 'taskmaster unsubscribe links v1', 32)).toString(
        'base64url',
      ),
  });
}

let cached: Config | undefined;

/** The process-wide configuration; `.env` in the project root is read when present. */
export function config(): Config {
  if (cached) return cached;
  const envFile = resolve(import.meta.dirname, '..', '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  try {
    cached = parseConfig(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
  return cached;
}
