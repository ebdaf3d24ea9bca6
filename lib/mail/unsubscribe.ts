// One-click unsubscribe tokens (RFC 8058). A token names a person and a notification
// kind and is signed with HMAC-SHA256, so the link works without signing in and cannot
// be forged or pointed at someone else: `<user uuid>.<kind>.<signature base64url>`.
// Tokens do not expire (a years-old email's link must still work); rotating
// UNSUBSCRIBE_SECRET invalidates them all.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const VERSION = 'taskmaster-unsubscribe-v1';

const tokenShape = z
  .string()
  .max(200)
  .regex(/^[0-9a-f-]{36}\.[a-z_]{1,40}\.[A-Za-z0-9_-]{43}$/, 'is not an unsubscribe token');

export type UnsubscribeTarget = { userId: string; kind: string };

function signature(secret: string, userId: string, kind: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}\n${userId}\n${kind}`).digest();
}

export function createUnsubscribeToken(secret: string, { userId, kind }: UnsubscribeTarget): string {
  return `${userId}.${kind}.${signature(secret, userId, kind).toString('base64url')}`;
}

/** The person and kind a token was issued for, or null when it is malformed or forged. */
export function verifyUnsubscribeToken(secret: string, token: unknown): UnsubscribeTarget | null {
  const parsed = tokenShape.safeParse(token);
  if (!parsed.success) return null;
  const [userId = '', kind = '', sig = ''] = parsed.data.split('.');
  if (!z.uuid().safeParse(userId).success) return null;
  // Compared as text, not decoded bytes: the last base64url character carries two unused
  // bits, so decoding would accept four spellings of one signature.
  const given = Buffer.from(sig);
  const expected = Buffer.from(signature(secret, userId, kind).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { userId, kind };
}

export const UNSUBSCRIBE_PATH = '/api/v1/unsubscribe';

/** The absolute one-click link for a person and kind. */
export function unsubscribeUrl(publicUrl: string, secret: string, target: UnsubscribeTarget): string {
  const url = new URL(UNSUBSCRIBE_PATH, publicUrl);
  url.searchParams.set('token', createUnsubscribeToken(secret, target));
  return url.toString();
}
