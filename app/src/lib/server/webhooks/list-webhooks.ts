import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { WebhookDelivery, WebhookEndpoint, WebhookWorkspace } from './schemas.ts';

export type ListWebhooksOptions = { claims: Claims; deliveryLimit?: number };
export type WebhookOverview = {
  workspaces: WebhookWorkspace[];
  endpoints: WebhookEndpoint[];
  deliveries: WebhookDelivery[];
};

/**
 * The workspaces the person administers, their endpoints and the latest deliveries. RLS
 * decides: members and guests see no endpoint and no delivery. One snapshot.
 */
export async function listWebhooks({ claims, deliveryLimit = 50 }: ListWebhooksOptions): Promise<WebhookOverview> {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const workspaces = await client.query<WebhookWorkspace>(
      `select w.id, w.name from public.workspaces w
         join public.workspace_members m on m.workspace_id = w.id and m.user_id = (select auth.uid())
        where m.role in ('owner', 'admin')
        order by w.kind = 'personal' desc, w.name, w.id`,
    );
    const endpoints = await client.query<WebhookEndpoint>(
      `select e.id, e.workspace_id as "workspaceId", w.name as "workspaceName", e.url, e.event_types as "eventTypes",
              e.description, e.enabled, e.disabled_at as "disabledAt", e.disabled_reason as "disabledReason",
              e.failing_since as "failingSince", e.created_at as "createdAt"
         from public.webhook_endpoints e join public.workspaces w on w.id = e.workspace_id
        order by e.created_at desc, e.id
        limit 200`,
    );
    const deliveries = await client.query<WebhookDelivery>(
      `select d.id, d.endpoint_id as "endpointId", d.event_id as "eventId", d.event_type as "eventType", d.status,
              d.attempt, d.response_status as "responseStatus", d.latency_ms as "latencyMs",
              d.response_snippet as "responseSnippet", d.last_error as "lastError",
              d.next_attempt_at as "nextAttemptAt", d.delivered_at as "deliveredAt", d.created_at as "createdAt"
         from public.webhook_deliveries d
        order by d.created_at desc, d.id
        limit $1`,
      [deliveryLimit],
    );
    return { workspaces: workspaces.rows, endpoints: endpoints.rows, deliveries: deliveries.rows };
  });
}
