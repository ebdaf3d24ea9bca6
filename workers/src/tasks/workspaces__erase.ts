// Erases a workspace scheduled by an account deletion (private.erasure_requests, queued by
// private.schedule_account_erasure with run_at = deletion + ACCOUNT_ERASURE_DELAY_DAYS).
// Payload: the request's id. Deletes the workspace (its projects, tasks, labels, keys,
// webhooks go with it: on delete cascade) only while nobody belongs to it: if the deletion
// did not go through, or someone was added since, the request is closed without erasing.
// Retry-safe: a done request, or one whose workspace is already gone, does nothing.
import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { inTransaction } from '../transaction.ts';

const payload = z.object({ request_id: z.uuid() }).passthrough();

export const workspaces__erase: Task = async (raw, helpers) => {
  const { request_id } = payload.parse(raw);
  await inTransaction(helpers, async (client) => {
    const { rows } = await client.query<{ workspace_id: string; members: number }>(
      `select r.workspace_id,
              (select count(*) from public.workspace_members m where m.workspace_id = r.workspace_id)::int as members
       from private.erasure_requests r
       where r.id = $1 and r.done_at is null
       for update of r`,
      [request_id],
    );
    const request = rows[0];
    if (!request) return;
    if (request.members === 0) {
      await client.query(`delete from public.workspaces where id = $1`, [request.workspace_id]);
      helpers.logger.info(`erased workspace ${request.workspace_id}`);
    } else {
      helpers.logger.info(`workspace ${request.workspace_id} has members again: not erased`);
    }
    // The workspace's deletion cascades to the request; close it when it is still there.
    await client.query(`update private.erasure_requests set done_at = now() where id = $1`, [request_id]);
  });
};
