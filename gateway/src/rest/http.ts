// HTTP-level pieces of the PostgREST dialect: Prefer, Accept/Content-Type negotiation,
// Content-Range and the statuses that follow from a range and a count.
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../api/errors.ts';

export type Prefer = {
  return?: 'minimal' | 'representation' | 'headers-only';
  count?: 'exact' | 'planned' | 'estimated';
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missing?: 'default' | 'null';
  params?: 'single-object';
  handling?: 'strict' | 'lenient';
  /** max-affected=n: with handling=strict, a PATCH/DELETE touching more rows rolls back. */
  maxAffected?: number;
  /** timezone=<IANA name>: the transaction's TimeZone. */
  timezone?: string;
  /** The preferences honoured, echoed in Preference-Applied. */
  applied: string[];
};

export const PREFS: Record<string, readonly string[]> = {
  return: ['minimal', 'representation', 'headers-only'],
  count: ['exact', 'planned', 'estimated'],
  resolution: ['merge-duplicates', 'ignore-duplicates'],
  missing: ['default', 'null'],
  params: ['single-object'],
  handling: ['strict', 'lenient'],
};

export function parsePrefer(headers: IncomingHttpHeaders): Prefer {
  const raw = headers.prefer;
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  const prefer: Prefer = { applied: [] };
  const invalid: string[] = [];
  for (const part of text.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const [name, value] = item.split('=').map((s) => s.trim()) as [string, string | undefined];
    // Own keys only: `constructor=x` must not find Object.prototype's members (a 500).
    const allowed = Object.hasOwn(PREFS, name) ? PREFS[name] : undefined;
    if (name === 'max-affected' && value !== undefined && /^\d{1,9}$/.test(value)) {
      prefer.maxAffected = Number(value);
    } else if (name === 'timezone' && value !== undefined && isTimeZone(value)) {
      prefer.timezone = value;
    } else if (allowed && value !== undefined && allowed.includes(value)) {
      (prefer as Record<string, unknown>)[name] = value;
    } else {
      invalid.push(item);
    }
  }
  if (prefer.handling === 'strict' && invalid.length) {
    throw new ApiError(400, 'PGRST122', 'Invalid preferences given with handling=strict', {
      details: `Invalid preferences: ${invalid.join(', ').slice(0, 200)}`,
    });
  }
  return prefer;
}

/** An IANA zone name both ICU and Postgres know (Postgres refuses unknown ones with 22023). */
function isTimeZone(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,62}$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export type MediaType = 'json' | 'object' | 'csv' | 'openapi';

/** Picks the response media type from Accept, as PostgREST does (406 when none fits). */
export function negotiate(accept: string | undefined, offered: readonly MediaType[]): MediaType {
  if (!accept || !accept.trim()) return offered[0] as MediaType;
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
      return { type: type ?? '', q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    const match = offered.find((m) => matches(r.type, m));
    if (match) return match;
  }
  throw new ApiError(406, 'PGRST107', `None of these media types are available: ${accept.slice(0, 200)}`);
}

function matches(range: string, media: MediaType): boolean {
  if (range === '*/*') return true;
  switch (media) {
    case 'json':
      return range === 'application/json' || range === 'application/*';
    case 'object':
      return range === 'application/vnd.pgrst.object+json' || range === 'application/vnd.pgrst.object';
    case 'csv':
      return range === 'text/csv' || range === 'text/*';
    case 'openapi':
      return range === 'application/openapi+json' || range === 'application/json' || range === 'application/*';
  }
}

export const CONTENT_TYPES: Record<MediaType, string> = {
  json: 'application/json; charset=utf-8',
  object: 'application/vnd.pgrst.object+json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  openapi: 'application/openapi+json; charset=utf-8',
};

// Content-Range value: `0-24/*`, `*/0` (empty, counted) or `*/*` (PostgREST contentRangeH).
export function contentRange(lower: number, page: number, total: number | null): string {
  const upper = lower + page - 1;
  const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*';
  return `${range}/${total ?? '*'}`;
}

/** 200, 206 (partial content with a known total) or 416 (range past the total). */
export function rangeStatus(lower: number, page: number, total: number | null): number {
  if (total === null) return 200;
  const upper = lower + page - 1;
  if (lower > total) return 416;
  if (1 + upper - lower < total) return 206;
  return 200;
}

/** Renders a JSON array of flat objects as CSV (header row from the first object's keys). */
export function toCsv(jsonText: string): string {
  const rows = JSON.parse(jsonText) as Record<string, unknown>[];
  if (rows.length === 0) return '';
  const keys = Object.keys(rows[0] as object);
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [keys.map(cell).join(','), ...rows.map((r) => keys.map((k) => cell(r[k])).join(','))].join('\n');
}
