// One pino logger for every process. Lines logged while serving a request go through a
// child logger that carries the request id (and user/workspace once known).
import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

const REDACT = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'email',
  '*.email',
];

// Shared through globalThis: the SvelteKit server bundle carries its own copy of this
// module, and its log lines must join the gateway's request scope, not start a new one.
const LOGGER = Symbol.for('taskmaster.logger');
const SCOPE = Symbol.for('taskmaster.requestScope');
type Holder = { [LOGGER]?: pino.Logger; [SCOPE]?: AsyncLocalStorage<pino.Logger> };
const holder = globalThis as Holder;

export const logger: pino.Logger = (holder[LOGGER] ??= pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: process.env.TASKMASTER_SERVICE ?? 'taskmaster' },
  redact: { paths: REDACT, censor: '[redacted]' },
  timestamp: pino.stdTimeFunctions.isoTime,
}));

export type Logger = pino.Logger;

const requestScope: AsyncLocalStorage<Logger> = (holder[SCOPE] ??= new AsyncLocalStorage<Logger>());

/** Run `fn` with `log` as the current request's logger. */
export function withRequestLogger<T>(log: Logger, fn: () => T): T {
  return requestScope.run(log, fn);
}

/** The current request's logger, or the process logger outside a request. */
export function log(): Logger {
  return requestScope.getStore() ?? logger;
}
