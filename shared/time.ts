// UTC time on the wire and in storage: ISO 8601 with milliseconds and a Z, which also sorts as text.

export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const DAY_MS = 86_400_000;

/** The calendar date (YYYY-MM-DD, UTC) of a timestamp: "today" for the clock's `now()`. */
export function dateOf(isoTime: string): string {
  return isoTime.slice(0, 10);
}

/** A calendar date (YYYY-MM-DD, UTC) moved by whole days. */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
