// Wall clock ↔ instant in an IANA zone, with RFC 5545's rules for the two awkward cases
// (docs/recurrence.md):
//   * a local time that does not exist (the spring-forward gap, e.g. 02:30 in New York on
//     8 March 2026) is read with the UTC offset in force BEFORE the gap: 02:30 EST = 03:30 EDT
//     (RFC 5545 §3.3.5; Postgres' `timestamp at time zone` does the same);
//   * a local time that happens twice (the fall-back overlap) is its FIRST occurrence, the
//     daylight-time one (RFC 5545 §3.3.5; Postgres picks the second, see docs/recurrence.md).
// Browser-safe: only Intl. Minute precision is all tasks need.
import { isKnownTimeZone, zonedNow } from '../quick-add/civil-date.ts';
import type { CivilDate, WallTime } from '../quick-add/civil-date.ts';

export { isKnownTimeZone };

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The local wall clock as if it were UTC: a number that orders and subtracts like time. */
export function wallToUtcMillis(date: CivilDate, time: WallTime): number {
  const d = new Date(Date.UTC(2000, 0, 1, time.hour, time.minute));
  d.setUTCFullYear(date.year, date.month - 1, date.day);
  return d.getTime();
}

/** The zone's UTC offset in minutes at an instant (e.g. -300 for New York in winter). */
export function offsetMinutesAt(instant: number, timeZone: string): number {
  const wall = zonedNow(new Date(instant), timeZone);
  const wallMs = wallToUtcMillis(wall.date, wall.time) + wall.second * 1000;
  const instantSeconds = Math.floor(instant / 1000) * 1000;
  return Math.round((wallMs - instantSeconds) / MINUTE);
}

/** The wall clock in a zone at an instant. */
export function instantToWall(instant: number, timeZone: string): { date: CivilDate; time: WallTime } {
  const { date, time } = zonedNow(new Date(instant), timeZone);
  return { date, time };
}

/**
 * The instant of a local date and time in a zone: the first of two when the time repeats,
 * the offset before the gap when it does not exist.
 */
export function wallToInstant(date: CivilDate, time: WallTime, timeZone: string): Date {
  const local = wallToUtcMillis(date, time);
  // Zones change offset at most once around any one day: the offsets a day either side
  // are the only candidates.
  const before = offsetMinutesAt(local - DAY, timeZone);
  const after = offsetMinutesAt(local + DAY, timeZone);
  const candidates = [...new Set([before, after, offsetMinutesAt(local, timeZone)])]
    .map((offset) => local - offset * MINUTE)
    .filter((instant) => wallToUtcMillis(...wallPair(instant, timeZone)) === local)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return new Date(first);
  // The gap: no instant shows this wall clock; read it with the offset before the change.
  return new Date(local - before * MINUTE);
}

function wallPair(instant: number, timeZone: string): [CivilDate, WallTime] {
  const { date, time } = instantToWall(instant, timeZone);
  return [date, time];
}

/** True when the local time does not exist in the zone that day (a spring-forward gap). */
export function isNonexistent(date: CivilDate, time: WallTime, timeZone: string): boolean {
  const instant = wallToInstant(date, time, timeZone).getTime();
  return wallToUtcMillis(...wallPair(instant, timeZone)) !== wallToUtcMillis(date, time);
}

/** True when the local time happens twice in the zone that day (a fall-back overlap). */
export function isAmbiguous(date: CivilDate, time: WallTime, timeZone: string): boolean {
  const local = wallToUtcMillis(date, time);
  const offsets = new Set([offsetMinutesAt(local - DAY, timeZone), offsetMinutesAt(local + DAY, timeZone)]);
  let hits = 0;
  for (const offset of offsets) {
    if (wallToUtcMillis(...wallPair(local - offset * MINUTE, timeZone)) === local) hits += 1;
  }
  return hits > 1;
}
