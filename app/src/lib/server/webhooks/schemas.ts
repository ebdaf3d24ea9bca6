// What the webhook forms accept, and endpoints and deliveries as the settings page shows
// them. The database checks the same rules again (create_webhook_endpoint(), the
// webhook_endpoints_* constraints, RLS); these give the earlier, kinder message.
import { z } from 'zod';

/** The subscriptions the form offers: every event of an entity. The API also takes exact types. */
export const EVENT_TYPE_CHOICES = [
  { value: 'task.*', label: 'Tasks', hint: 'created, updated, completed, reopened, deleted, restored, purged' },
  { value: 'project.*', label: 'Projects', hint: 'created, updated, archived, unarchived, deleted' },
  { value: 'member.*', label: 'Members', hint: 'added, removed, role changed' },
] as const;

export const createWebhookInput = z.object({
  workspaceId: z.uuid('Choose a workspace.'),
  url: z
    .string()
    .trim()
    .min(1, 'Enter the URL that should receive events.')
    .max(2000, 'URLs are at most 2,000 characters.')
    .refine((v) => URL.canParse(v), 'Enter a full URL such as https://example.com/hooks/taskmaster.'),
  eventTypes: z
    .array(z.enum(EVENT_TYPE_CHOICES.map((c) => c.value) as [string, ...string[]]))
    .min(1, 'Choose at least one kind of event.'),
  description: z.string().trim().max(500, 'Descriptions are at most 500 characters.').default(''),
});
export type CreateWebhookInput = z.infer<typeof createWebhookInput>;

export const endpointRef = z.object({ endpointId: z.uuid('That endpoint does not exist.') });
export const setEnabledInput = endpointRef.extend({
  enabled: z.enum(['true', 'false']).transform((v) => v === 'true'),
});
export const deliveryRef = z.object({ deliveryId: z.uuid('That delivery does not exist.') });

export type WebhookWorkspace = { id: string; name: string };

export type WebhookEndpoint = {
  id: string;
  workspaceId: string;
  workspaceName: string;
  url: string;
  eventTypes: string[];
  description: string;
  enabled: boolean;
  disabledAt: Date | null;
  disabledReason: string | null;
  failingSince: Date | null;
  createdAt: Date;
};

export type WebhookDelivery = {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'retrying' | 'succeeded' | 'failed';
  attempt: number;
  responseStatus: number | null;
  latencyMs: number | null;
  responseSnippet: string | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
};

/** A secret as the page shows it once: after registration or rotation. */
export type RevealedSecret = { endpointId: string; url: string; secret: string; rotated: boolean };
