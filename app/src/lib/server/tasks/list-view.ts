// The first page of a task view, read as the signed-in person (RLS applies), in the exact
// shape the browser cache holds (TaskRow, as REST returns it), so the page hydrates from
// it without fetching again. The browser loads any further pages from REST.
import type pg from 'pg';
import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { TaskRow } from '#lib/data/types.ts';
import { fetchWindow, type ViewSpec } from '#lib/data/view.ts';

/** Rows rendered by the server; the browser fetches the rest in pages. */
export const SSR_PAGE = 200;

/** The select list producing a TaskRow (labels embedded as [{id, name}]). */
export const TASK_ROW_COLUMNS = `t.workspace_id, t.id, t.project_id, t.title, t.status, t.priority,
  t.due_date::text as due_date, t.due_time::text as due_time, t.due_tz, t.due_at, t.recurrence,
  t.position::text as position, t.completed_at, t.created_at,
  coalesce((select json_agg(json_build_object('id', l.id, 'name', l.name) order by l.name)
              from public.task_labels tl
              join public.labels l on l.workspace_id = tl.workspace_id and l.id = tl.label_id
             where tl.workspace_id = t.workspace_id and tl.task_id = t.id), '[]'::json) as labels`;

type DbTaskRow = Omit<TaskRow, 'due_at' | 'completed_at' | 'created_at'> & {
  due_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
};

/** pg gives Dates; the cache holds ISO strings as REST does. */
export function toTaskRow(r: DbTaskRow): TaskRow {
  return {
    ...r,
    due_at: r.due_at ? r.due_at.toISOString() : null,
    completed_at: r.completed_at ? r.completed_at.toISOString() : null,
    created_at: r.created_at.toISOString(),
  };
}

export type ViewPage = { tasks: TaskRow[]; complete: boolean };

/** Runs inside an asUser transaction: the first page of a view. */
export async function queryViewPage(
  client: pg.PoolClient,
  spec: ViewSpec,
  today: string,
  limit = SSR_PAGE,
): Promise<ViewPage> {
  const where = [`t.deleted_at is null`, `t.status = 'open'`];
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (spec.kind === 'inbox') {
    where.push('t.project_id is null', 't.workspace_id = (select public.my_personal_workspace_id())');
  } else if (spec.kind === 'project') {
    where.push(`t.project_id = ${param(spec.projectId)}::uuid`);
  } else {
    const window = fetchWindow(spec, today);
    if (window?.from) where.push(`t.due_date >= ${param(window.from)}::date`);
    if (window) where.push(`t.due_date <= ${param(window.to)}::date`);
  }
  const { rows } = await client.query<DbTaskRow>(
    `select ${TASK_ROW_COLUMNS} from public.tasks t
      where ${where.join(' and ')}
      order by t.position, t.id
      limit ${param(limit + 1)}`,
    params,
  );
  const complete = rows.length <= limit;
  return { tasks: rows.slice(0, limit).map(toTaskRow), complete };
}

/** The first page of a view for an SSR load. */
export async function listView({
  claims,
  spec,
  today,
}: {
  claims: Claims;
  spec: ViewSpec;
  today: string;
}): Promise<ViewPage> {
  return asUser(services().apiPool, { claims, readOnly: true }, (client) => queryViewPage(client, spec, today));
}

/** One project the caller can see, or null. */
export async function getProject({ claims, id }: { claims: Claims; id: string }) {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const { rows } = await client.query<{ id: string; name: string; color: string; archived: boolean }>(
      `select id, name, color, archived_at is not null as archived from public.projects where id = $1`,
      [id],
    );
    return rows[0] ?? null;
  });
}

/** The Inbox's most recently completed tasks (shown under the open ones). */
export async function listRecentlyCompleted({
  claims,
  limit = 50,
}: {
  claims: Claims;
  limit?: number;
}): Promise<TaskRow[]> {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const { rows } = await client.query<DbTaskRow>(
      `select ${TASK_ROW_COLUMNS} from public.tasks t
        where t.workspace_id = (select public.my_personal_workspace_id())
          and t.project_id is null and t.deleted_at is null and t.status = 'completed'
        order by t.completed_at desc, t.id
        limit $1`,
      [limit],
    );
    return rows.map(toTaskRow);
  });
}
