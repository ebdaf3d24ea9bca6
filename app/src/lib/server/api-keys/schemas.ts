// What the API-key forms accept, and a key as the settings page shows it. The database
// checks the same rules again (api_keys_* constraints, create_api_key()); these give the
// earlier, kinder message.
import { z } from 'zod';

export const API_KEY_ROLES = ['read', 'write'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** Lifetimes offered in the form; the database allows anything up to a year. */
export const EXPIRY_CHOICES = [7, 30, 90, 180, 365] as const;
export const DEFAULT_EXPIRY_DAYS = 90;

export const createApiKeyInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter a name, e.g. what the key is for.')
    .max(100, 'Names are at most 100 characters.'),
  workspaceId: z.uuid('Choose a workspace.'),
  role: z.enum(API_KEY_ROLES, 'Choose read or write access.'),
  expiresInDays: z.coerce
    .number('Choose when the key expires.')
    .int('Choose when the key expires.')
    .min(1, 'A key must live at least a day.')
    .max(365, 'A key can live at most a year.'),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;

/** A key's primary key. RLS decides whether the caller may revoke it. */
export const apiKeyRef = z.object({
  workspaceId: z.uuid('That key does not exist.'),
  id: z.uuid('That key does not exist.'),
});
export type ApiKeyRef = z.infer<typeof apiKeyRef>;

export type ApiKey = {
  workspaceId: string;
  id: string;
  name: string;
  role: ApiKeyRole;
  prefix: string;
  workspaceName: string;
  /** Created by the signed-in person. */
  mine: boolean;
  /** The signed-in person may revoke it (its creator, or an owner/admin of its workspace). */
  canRevoke: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
  revokedAt: Date | null;
};

/** A workspace the person can create keys for, with what their membership allows. */
export type KeyWorkspace = { id: string; name: string; canWrite: boolean };

/** The one moment the plaintext exists outside the database: right after creation. */
export type NewApiKey = { id: string; name: string; prefix: string; role: ApiKeyRole; expiresAt: Date; key: string };
