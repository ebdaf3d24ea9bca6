// The in-database evaluation of the "dead letters growing" alert (the twin of the
// Prometheus rule in infra/alerts/jobs.yml; docs/adr/0009-jobs-metrics-and-alerts.md).
import type { Queryable } from './stats.ts';

export type AlertChange = { task: string; state: 'firing' | 'resolved'; dead: number; baseline: number };

/** Samples dead letters per task and returns the alerts that fired or resolved since the last sample. */
export async function evaluateDeadLetterAlerts(db: Queryable): Promise<AlertChange[]> {
  const { rows } = await db.query<{
    task_identifier: string;
    state: 'firing' | 'resolved';
    dead: string;
    baseline: string;
  }>(`select task_identifier, state, dead, baseline from private.evaluate_dead_letter_alerts()`);
  return rows.map((r) => ({
    task: r.task_identifier,
    state: r.state,
    dead: Number(r.dead),
    baseline: Number(r.baseline),
  }));
}
