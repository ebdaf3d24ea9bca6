// Every minute (workers/crontab): compares the dead-letter count per task with the previous
// sample. A growing count opens an alert (private.dead_letter_alerts) and is logged at error
// level, which is what pages someone where logs feed alerting; replaying or discarding the
// dead letters resolves it. Idempotent: a second run in the same minute sees no change.
import type { Task } from 'graphile-worker';
import { evaluateDeadLetterAlerts } from '../../../lib/jobs/alerts.ts';

export const jobs__evaluate_alerts: Task = async (_raw, helpers) => {
  const changes = await helpers.withPgClient((client) => evaluateDeadLetterAlerts(client));
  for (const change of changes) {
    const text = `alert DeadLettersGrowing ${change.state} for ${change.task}: ${change.dead} dead (was ${change.baseline})`;
    if (change.state === 'firing') helpers.logger.error(text, { alert: 'DeadLettersGrowing', ...change });
    else helpers.logger.info(text, { alert: 'DeadLettersGrowing', ...change });
  }
};
