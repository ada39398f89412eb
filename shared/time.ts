// UTC time on the wire and in storage: ISO 8601 with milliseconds and a Z, which also sorts as text.

export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const DAY_MS = 86_400_000;

/** The calendar date (YYYY-MM-DD, UTC) of a timestamp: "today" for the clock's `now()`. */
export function dateOf(isoTime: string): string {
  return isoTime.slice(0, 10);
}

/** A span of hours as people read it: "5 h" below two days, "10 d" from there. */
export function hoursText(hours: number): string {
  const abs = Math.abs(hours);
  return abs >= 48 ? `${Math.round(abs / 24)} d` : `${Math.round(abs)} h`;
}

/** A calendar date (YYYY-MM-DD, UTC) moved by whole days. */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
