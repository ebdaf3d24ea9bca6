// graphile-worker logs through pino like every other part of the system.
import { Logger as WorkerLogger } from 'graphile-worker';
import type { Logger } from '../../lib/logger.ts';

export function workerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    const child = log.child({ ...scope, ...(meta ?? {}) });
    if (level === 'error') child.error(message);
    else if (level === 'warning') child.warn(message);
    else if (level === 'debug') child.debug(message);
    else child.info(message);
  });
}
