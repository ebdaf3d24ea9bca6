// Outgoing webhooks, one attempt of one delivery: POST the signed event to the endpoint
// and record the outcome (docs/webhooks.md). The job is one graphile-worker job per
// delivery for its whole retry schedule (../webhooks/schedule.ts): on failure the task
// records the attempt, moves its own job's run_at to the next time of the schedule and
// throws; after the last attempt the job stays as a dead letter (attempts = max_attempts,
// last_error set). A delivery that failed for the whole schedule while its endpoint never
// succeeded disables the endpoint and notifies the workspace's owners.
//
// Before sending: the endpoint's rate limit (a Postgres GCRA bucket, shared by every
// worker process) and its circuit breaker (per process). When either says "not now", the
// job is put back for that long without using up an attempt.
//
// Retry-safety: re-running the task re-sends (at-least-once delivery); receivers
// de-duplicate by the body's `id` (the event id). A delivery already succeeded is not sent
// again by a stray duplicate job.
import type { JobHelpers, Task } from 'graphile-worker';
import { z } from 'zod';
import { config } from '../../../lib/config.ts';
import { EndpointBreakers } from '../webhooks/breaker.ts';
import { type Resolver, systemResolver } from '../webhooks/target.ts';
import { type SendResult, postWebhook } from '../webhooks/send.ts';
import { graphileBackoffMs, retryDelayMs } from '../webhooks/schedule.ts';
import { inTransaction } from '../transaction.ts';
import { SIGNATURE_HEADER, signatureHeader } from '../webhooks/sign.ts';

const payload = z.object({ workspace_id: z.uuid(), delivery_id: z.uuid() });

export type SendTaskOptions = {
  /** http:// and private addresses allowed (development only). */
  allowInsecure: () => boolean;
  resolve: Resolver;
  breakers: EndpointBreakers;
  random: () => number;
  /** Requests per window per endpoint; null = unlimited. */
  rateLimit: { limit: number; windowSeconds: number } | null;
  timeoutMs?: number;
  /** The clock for the signature's timestamp (unix seconds). */
  now: () => number;
};

export const defaultSendTaskOptions: SendTaskOptions = {
  allowInsecure: () => config().NODE_ENV === 'development',
  resolve: systemResolver,
  breakers: new EndpointBreakers(),
  random: Math.random,
  rateLimit: { limit: 300, windowSeconds: 60 },
  now: () => Math.floor(Date.now() / 1000),
};

type Delivery = {
  id: string;
  workspace_id: string;
  status: string;
  endpoint_id: string;
  url: string;
  enabled: boolean;
  secret: string;
  previous_secret: string | null;
  event_id: string;
  event_type: string | null;
  subject_id: string | null;
  changes: string[] | null;
  occurred_at: Date | null;
};

/** The request body: the event, ids only (docs/webhooks.md). */
export function deliveryBody(d: Delivery): string {
  const data: Record<string, unknown> = {
    object: { type: d.event_type!.split('.')[0], id: d.subject_id },
  };
  if (d.changes) data.changes = d.changes;
  return JSON.stringify({
    id: d.event_id,
    type: d.event_type,
    created: Math.floor(d.occurred_at!.getTime() / 1000),
    workspace_id: d.workspace_id,
    data,
  });
}

class WebhookAttemptFailed extends Error {}

export function makeSendTask(options: SendTaskOptions): Task {
  return async (raw, helpers) => {
    const { workspace_id, delivery_id } = payload.parse(raw);
    const { job } = helpers;
    const { rows } = await helpers.query<Delivery>(
      `select d.id, d.workspace_id, d.status, d.endpoint_id, e.url, e.enabled, s.secret,
              case when s.previous_expires_at > now() then s.previous_secret end as previous_secret, d.event_id,
              ev.type as event_type, ev.subject_id, ev.changes, ev.occurred_at
       from public.webhook_deliveries d
       join public.webhook_endpoints e on e.workspace_id = d.workspace_id and e.id = d.endpoint_id
       join private.webhook_endpoint_secrets s on s.workspace_id = e.workspace_id and s.endpoint_id = e.id
       left join events.log ev on ev.workspace_id = d.workspace_id and ev.id = d.event_id
       where d.workspace_id = $1 and d.id = $2`,
      [workspace_id, delivery_id],
    );
    const delivery = rows[0];
    if (!delivery) {
      helpers.logger.info(`webhook delivery ${delivery_id} is gone; nothing to do`);
      return;
    }
    if (delivery.status === 'succeeded') return;
    const giveUp = async (reason: string) => {
      await helpers.query(
        `update public.webhook_deliveries set status = 'failed', last_error = $3, next_attempt_at = null
         where workspace_id = $1 and id = $2`,
        [workspace_id, delivery_id, reason],
      );
    };
    if (!delivery.enabled) return giveUp('The endpoint is disabled.');
    if (!delivery.event_type) return giveUp('The event no longer exists.');

    /** Puts the job back for `ms` without using up an attempt, then fails this run. */
    const wait = async (ms: number, why: string): Promise<never> => {
      await inTransaction(helpers, async (client) => {
        // Like record(): start earlier by graphile-worker's backoff for the attempt count it will see.
        await client.query(
          `update graphile_worker._private_jobs
           set attempts = attempts - 1,
               run_at = now() + make_interval(secs => ($2::double precision - $3::double precision) / 1000)
           where id = $1`,
          [job.id, ms, graphileBackoffMs(job.attempts - 1)],
        );
        await client.query(
          `update public.webhook_deliveries set next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
           where workspace_id = $1 and id = $2`,
          [workspace_id, delivery_id, ms],
        );
      });
      throw new WebhookAttemptFailed(`waiting ${Math.ceil(ms / 1000)} s: ${why} (no attempt used)`);
    };

    if (options.rateLimit) {
      const { rows: taken } = await helpers.query<{ granted: number; retry_after: number }>(
        'select granted, retry_after from private.rate_limit_take_many($1, $2, $3, 1)',
        [`webhook:${delivery.endpoint_id}`, options.rateLimit.limit, options.rateLimit.windowSeconds],
      );
      if (!taken[0]?.granted) await wait(Math.max(1, taken[0]?.retry_after ?? 1) * 1000, 'endpoint rate limit');
    }

    const body = deliveryBody(delivery);
    const outcome = await options.breakers.run(delivery.endpoint_id, () =>
      postWebhook({
        url: delivery.url,
        body,
        headers: {
          [SIGNATURE_HEADER]: signatureHeader(
            delivery.previous_secret ? [delivery.secret, delivery.previous_secret] : [delivery.secret],
            body,
            options.now(),
          ),
          'TaskMaster-Event-Id': delivery.event_id,
          'TaskMaster-Delivery-Id': delivery.id,
        },
        allowInsecure: options.allowInsecure(),
        resolve: options.resolve,
        timeoutMs: options.timeoutMs,
      }),
    );
    if (outcome.kind === 'open') return wait(outcome.retryInMs, 'circuit breaker open for this endpoint');
    await record(helpers, options, delivery, outcome.result);
  };
}

async function record(helpers: JobHelpers, options: SendTaskOptions, delivery: Delivery, result: SendResult) {
  const { job } = helpers;
  const attemptFields = [delivery.workspace_id, delivery.id, result.status, result.latencyMs, result.snippet];
  if (result.ok) {
    await inTransaction(helpers, async (client) => {
      await client.query(
        `update public.webhook_deliveries
         set status = 'succeeded', attempt = attempt + 1, response_status = $3, latency_ms = $4,
             response_snippet = $5, last_error = null, next_attempt_at = null, delivered_at = now(),
             first_attempted_at = coalesce(first_attempted_at, now()), last_attempted_at = now()
         where workspace_id = $1 and id = $2`,
        attemptFields,
      );
      await client.query(
        `update public.webhook_endpoints set failing_since = null
         where workspace_id = $1 and id = $2 and failing_since is not null`,
        [delivery.workspace_id, delivery.endpoint_id],
      );
    });
    return;
  }
  const last = job.attempts >= job.max_attempts;
  const delayMs = last ? null : retryDelayMs(job.attempts, options.random);
  const disabled = await inTransaction(helpers, async (client) => {
    const { rows } = await client.query<{ failing_since: Date; first_attempted_at: Date }>(
      `update public.webhook_deliveries
       set status = $7, attempt = attempt + 1, response_status = $3, latency_ms = $4, response_snippet = $5,
           last_error = $6, first_attempted_at = coalesce(first_attempted_at, now()), last_attempted_at = now(),
           next_attempt_at = now() + make_interval(secs => $8::double precision / 1000)
       where workspace_id = $1 and id = $2
       returning first_attempted_at`,
      [...attemptFields, result.error, last ? 'failed' : 'retrying', delayMs],
    );
    const { rows: endpoint } = await client.query<{ failing_since: Date }>(
      `update public.webhook_endpoints set failing_since = coalesce(failing_since, now())
       where workspace_id = $1 and id = $2 returning failing_since`,
      [delivery.workspace_id, delivery.endpoint_id],
    );
    if (!last) {
      // graphile-worker adds exp(least(attempts, 10)) s when this run throws: start that much earlier.
      await client.query(
        `update graphile_worker._private_jobs
         set run_at = now() + make_interval(secs => ($2::double precision - $3::double precision) / 1000)
         where id = $1`,
        [job.id, delayMs, graphileBackoffMs(job.attempts)],
      );
      return false;
    }
    // The schedule is used up. If the endpoint has not succeeded once since this delivery's
    // first attempt (about three days ago), it is failing continuously: disable it.
    const firstAttempt = rows[0]?.first_attempted_at;
    const failingSince = endpoint[0]?.failing_since;
    if (!firstAttempt || !failingSince || failingSince > firstAttempt) return false;
    const { rows: done } = await client.query<{ disabled: boolean }>(
      `select private.disable_failing_webhook_endpoint($1, $2, $3) as disabled`,
      [
        delivery.workspace_id,
        delivery.endpoint_id,
        `Every delivery failed since ${failingSince.toISOString()} (last: ${result.error ?? 'error'}).`.slice(0, 500),
      ],
    );
    return done[0]?.disabled ?? false;
  });
  if (disabled) helpers.logger.warn(`webhook endpoint ${delivery.endpoint_id} disabled after failing continuously`);
  throw new WebhookAttemptFailed(
    last
      ? `attempt ${job.attempts} of ${job.max_attempts} failed (${result.error}); no attempts left`
      : `attempt ${job.attempts} of ${job.max_attempts} failed (${result.error}); next in ${Math.round(delayMs! / 1000)} s`,
  );
}

export const webhook_deliveries__send: Task = makeSendTask(defaultSendTaskOptions);
