// Queue statistics for metrics and the jobs CLI, and the Prometheus text rendering of them.
import type pg from 'pg';

/** A pool, a pooled client or a client: the jobs modules only run queries. */
export type Queryable = Pick<pg.Pool | pg.PoolClient | pg.Client, 'query'>;

export type TaskStats = {
  task: string;
  ready: number;
  scheduled: number;
  running: number;
  dead: number;
  oldestReadySeconds: number;
};

export type QueueSnapshot = {
  tasks: TaskStats[];
  classes: { name: string; depth: number; limit: number; measuredAt: Date | null }[];
  shedTotal: number;
  openAlerts: { task: string; baseline: number; dead: number; firedAt: Date }[];
};

export async function queueSnapshot(db: Queryable): Promise<QueueSnapshot> {
  const [tasks, classes, shed, alerts] = await Promise.all([
    db.query<{
      task_identifier: string;
      ready: string;
      scheduled: string;
      running: string;
      dead: string;
      oldest_ready_seconds: number;
    }>(`select * from private.job_queue_stats()`),
    db.query<{ name: string; depth: string; depth_limit: string; measured_at: Date | null }>(
      `select name, depth, depth_limit, measured_at from private.queue_classes order by name`,
    ),
    // A sequence's last_value is 1 with is_called false before the first nextval.
    db.query<{ total: string }>(
      `select case when is_called then last_value else 0 end as total from private.events_shed_total`,
    ),
    db.query<{ task_identifier: string; baseline: string; dead: string; fired_at: Date }>(
      `select task_identifier, baseline, dead, fired_at from private.dead_letter_alerts where resolved_at is null order by task_identifier`,
    ),
  ]);
  return {
    tasks: tasks.rows.map((r) => ({
      task: r.task_identifier,
      ready: Number(r.ready),
      scheduled: Number(r.scheduled),
      running: Number(r.running),
      dead: Number(r.dead),
      oldestReadySeconds: Number(r.oldest_ready_seconds),
    })),
    classes: classes.rows.map((r) => ({
      name: r.name,
      depth: Number(r.depth),
      limit: Number(r.depth_limit),
      measuredAt: r.measured_at,
    })),
    shedTotal: Number(shed.rows[0]?.total ?? 0),
    openAlerts: alerts.rows.map((r) => ({
      task: r.task_identifier,
      baseline: Number(r.baseline),
      dead: Number(r.dead),
      firedAt: r.fired_at,
    })),
  };
}

/** Label values in the exposition format: backslash, quote and newline escaped. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The snapshot in Prometheus text exposition format (version 0.0.4). */
export function prometheusText(s: QueueSnapshot): string {
  const out: string[] = [];
  const family = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
  };
  const perTask = (pick: (t: TaskStats) => number): [string, number][] =>
    s.tasks.map((t) => [`{task="${label(t.task)}"}`, pick(t)]);
  family(
    'taskmaster_jobs_dead_letters',
    'gauge',
    'Jobs that exhausted their attempts, per task.',
    perTask((t) => t.dead),
  );
  family(
    'taskmaster_jobs_ready',
    'gauge',
    'Jobs runnable now and not running (ready-queue depth), per task.',
    perTask((t) => t.ready),
  );
  family(
    'taskmaster_jobs_scheduled',
    'gauge',
    'Jobs waiting for their run_at (incl. retry backoff), per task.',
    perTask((t) => t.scheduled),
  );
  family(
    'taskmaster_jobs_running',
    'gauge',
    'Jobs locked by a worker, per task.',
    perTask((t) => t.running),
  );
  family(
    'taskmaster_jobs_oldest_ready_seconds',
    'gauge',
    'Age of the oldest ready job (now - run_at), per task; 0 when none is waiting.',
    perTask((t) => t.oldestReadySeconds),
  );
  family(
    'taskmaster_queue_class_depth',
    'gauge',
    'Ready jobs per worker class as last measured by the worker.',
    s.classes.map((c) => [`{class="${label(c.name)}"}`, c.depth]),
  );
  family(
    'taskmaster_queue_class_limit',
    'gauge',
    'Depth above which a class sheds (critical: bulk API calls answer 503).',
    s.classes.map((c) => [`{class="${label(c.name)}"}`, c.limit]),
  );
  family(
    'taskmaster_events_shed_total',
    'counter',
    'Non-critical event jobs not enqueued because their queue was over its limit.',
    [['', s.shedTotal]],
  );
  family(
    'taskmaster_jobs_dead_letter_alert_firing',
    'gauge',
    'In-database alert "dead letters growing" (private.dead_letter_alerts): 1 while open, per task.',
    s.openAlerts.map((a) => [`{task="${label(a.task)}"}`, 1]),
  );
  return `${out.join('\n')}\n`;
}
