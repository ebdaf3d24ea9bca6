// The daily digest (opt-in kind `digest`): run hourly by workers/crontab, it finds the
// people who turned the digest on (either channel) and for whom it is now the 07:00 hour
// in their own time zone (account.user_settings.time_zone; UTC when they set none), and
// queues one digest each through private.notify: their open tasks that are overdue or
// due today, across every workspace they belong to. Nobody gets an empty digest.
//
// The clock is the cron tick (payload._cron.ts, the scheduled minute; a backfilled tick
// after downtime keeps its own time) or `now` in the payload (tests, manual runs);
// never the time the job happens to run. Idempotent: the dedupe key is
// `digest:<user>:<local date>`, so a retry, a backfill or a second worker queues nothing
// twice.
import type { Task } from 'graphile-worker';
import { z } from 'zod';

const payload = z
  .object({
    now: z.iso.datetime({ offset: true }).optional(),
    _cron: z.object({ ts: z.iso.datetime({ offset: true }) }).optional(),
    /** The local hour the digest goes out at. */
    hour: z.number().int().min(0).max(23).default(7),
  })
  .passthrough();

/** Tasks listed per section in one digest; the counts cover the rest. */
const ITEMS_PER_SECTION = 20;

type Candidate = {
  user_id: string;
  time_zone: string;
  local_date: string;
  overdue: DigestItem[] | null;
  today: DigestItem[] | null;
  overdue_count: number;
  today_count: number;
};
type DigestItem = { title: string; due_date: string; due_time: string | null; workspace_name: string };

// One statement finds the people and their tasks. A task's day as the person sees it:
// its due_date when it has no time, else its due instant in the person's zone.
const CANDIDATES_SQL = `
with kind as (
  select email_default or in_app_default as on_by_default from private.notification_kinds where kind = 'digest'
), people as (
  select u.id as user_id, coalesce(s.time_zone, 'UTC') as time_zone
  from identity.users u
  left join account.user_settings s on s.user_id = u.id
  where (
      (select on_by_default from kind)
      or exists (select 1 from account.notification_preferences p
                 where p.user_id = u.id and p.kind = 'digest' and p.enabled)
    )
    and (private.wants_notification(u.id, 'digest', 'email') or private.wants_notification(u.id, 'digest', 'in_app'))
), due_now as (
  select p.user_id, p.time_zone, ($1::timestamptz at time zone p.time_zone)::date as local_date
  from people p
  where extract(hour from $1::timestamptz at time zone p.time_zone) = $2
), tasks as (
  select d.user_id, t.title, t.due_date, t.due_time, w.name as workspace_name,
         case when t.due_time is null then t.due_date else (t.due_at at time zone d.time_zone)::date end as local_due,
         t.due_at
  from due_now d
  join public.workspace_members m on m.user_id = d.user_id
  join public.workspaces w on w.id = m.workspace_id
  join public.tasks t on t.workspace_id = m.workspace_id
  where t.status = 'open' and t.deleted_at is null and t.due_date is not null
    and t.due_date <= d.local_date + 1
)
select d.user_id, d.time_zone, d.local_date::text as local_date,
  (select jsonb_agg(jsonb_build_object('title', left(x.title, 200), 'due_date', x.due_date, 'due_time', to_char(x.due_time, 'HH24:MI'),
                                       'workspace_name', x.workspace_name) order by x.due_at, x.title)
     from (select * from tasks t where t.user_id = d.user_id and t.local_due < d.local_date
           order by t.due_at, t.title limit $3) x) as overdue,
  (select jsonb_agg(jsonb_build_object('title', left(x.title, 200), 'due_date', x.due_date, 'due_time', to_char(x.due_time, 'HH24:MI'),
                                       'workspace_name', x.workspace_name) order by x.due_at, x.title)
     from (select * from tasks t where t.user_id = d.user_id and t.local_due = d.local_date
           order by t.due_at, t.title limit $3) x) as today,
  (select count(*)::int from tasks t where t.user_id = d.user_id and t.local_due < d.local_date) as overdue_count,
  (select count(*)::int from tasks t where t.user_id = d.user_id and t.local_due = d.local_date) as today_count
from due_now d`;

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "Your day: 3 tasks due today, 1 overdue" and a one-line body. */
export function digestText(overdue: number, today: number): { title: string; body: string } {
  const parts = [
    today > 0 ? `${plural(today, 'task', 'tasks')} due today` : '',
    overdue > 0 ? `${overdue} overdue` : '',
  ].filter(Boolean);
  return {
    title: `Your day: ${parts.join(', ')}`,
    body: overdue > 0 ? 'Here is what is due today, and what slipped past its date.' : 'Here is what is due today.',
  };
}

export const notifications__digest: Task = async (raw, helpers) => {
  const input = payload.parse(raw ?? {});
  const now = input.now ?? input._cron?.ts ?? new Date().toISOString();
  const { rows } = await helpers.query<Candidate>(CANDIDATES_SQL, [now, input.hour, ITEMS_PER_SECTION]);
  let queued = 0;
  for (const person of rows) {
    if (person.overdue_count === 0 && person.today_count === 0) continue;
    const { title, body } = digestText(person.overdue_count, person.today_count);
    const result = await helpers.query<{ channels: string[] }>(
      `select private.notify($1, 'digest', $2, $3, $4, '/app/today', null, null, $5::jsonb) as channels`,
      [
        person.user_id,
        `digest:${person.user_id}:${person.local_date}`,
        title,
        body,
        JSON.stringify({
          date: person.local_date,
          time_zone: person.time_zone,
          overdue: person.overdue ?? [],
          today: person.today ?? [],
          overdue_count: person.overdue_count,
          today_count: person.today_count,
        }),
      ],
    );
    if ((result.rows[0]?.channels.length ?? 0) > 0) queued += 1;
  }
  helpers.logger.info(`digest at ${now}: ${rows.length} people in their 07:00 hour, ${queued} digests queued`);
};
