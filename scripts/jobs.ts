// Operator CLI for the job queue (docs/jobs.md):
//   npm run jobs -- stats                      queue depth, running, dead per task
//   npm run jobs -- dead [--task X]            dead letters: id, task, attempts, age, last error
//   npm run jobs -- replay <id…> | --task X    reset attempts and run now
//   npm run jobs -- discard <id…>              delete dead letters
// Replay and discard only touch dead letters; other ids are reported as skipped.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { config } from '../lib/config.ts';
import { discardDeadLetters, listDeadLetters, replayDeadLetters } from '../lib/jobs/dead-letters.ts';
import { queueSnapshot } from '../lib/jobs/stats.ts';

const USAGE = `usage: npm run jobs -- stats | dead [--task X] [--limit N] | replay <id…> | replay --task X | discard <id…>`;

function age(from: Date): string {
  const s = Math.max(0, Math.round((Date.now() - from.getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

function oneLine(text: string | null, max = 100): string {
  const t = (text ?? '').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { task: { type: 'string' }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...ids] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 64;
  }
  const client = new pg.Client({ connectionString: config().databaseUrl, application_name: 'taskmaster-jobs-cli' });
  await client.connect();
  try {
    switch (command) {
      case 'stats': {
        const s = await queueSnapshot(client);
        console.table(s.tasks);
        console.table(s.classes.map((c) => ({ class: c.name, depth: c.depth, limit: c.limit })));
        process.stdout.write(`events shed: ${s.shedTotal}; open alerts: ${s.openAlerts.length}\n`);
        return 0;
      }
      case 'dead': {
        const limit = values.limit === undefined ? 100 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new Error('--limit must be 1..10000');
        const rows = await listDeadLetters(client, { task: values.task, limit });
        if (rows.length === 0) {
          process.stdout.write('no dead letters\n');
          return 0;
        }
        for (const d of rows) {
          process.stdout.write(
            `${d.id}\t${d.task}\tattempts ${d.attempts}/${d.maxAttempts}\tdied ${age(d.diedAt)} ago\tage ${age(d.createdAt)}\t${oneLine(d.lastError)}\n`,
          );
        }
        return 0;
      }
      case 'replay': {
        if (values.task !== undefined && ids.length > 0) throw new Error('replay takes ids or --task, not both');
        const target = values.task !== undefined ? { task: values.task } : { ids };
        const done = await replayDeadLetters(client, target);
        process.stdout.write(`replayed ${done.length}${done.length ? `: ${done.join(' ')}` : ''}\n`);
        const skipped = 'ids' in target ? ids.filter((id) => !done.includes(id)) : [];
        if (skipped.length) process.stdout.write(`skipped (not dead letters): ${skipped.join(' ')}\n`);
        return 0;
      }
      case 'discard': {
        const done = await discardDeadLetters(client, ids);
        process.stdout.write(`discarded ${done.length}${done.length ? `: ${done.join(' ')}` : ''}\n`);
        const skipped = ids.filter((id) => !done.includes(id));
        if (skipped.length) process.stdout.write(`skipped (not dead letters): ${skipped.join(' ')}\n`);
        return 0;
      }
      default:
        process.stderr.write(`unknown command ${command}\n${USAGE}\n`);
        return 64;
    }
  } finally {
    await client.end();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // zod and argument errors: the message, not a stack.
  const e = error as Error & { issues?: { message: string }[] };
  process.stderr.write(`${e.issues ? e.issues.map((i) => i.message).join('; ') : e.message}\n`);
  process.exitCode = 64;
}
