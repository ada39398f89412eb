// UTC time on the wire and in storage: ISO 8601 with milliseconds and a Z, which also sorts as text.

export type IsoTime = string;

export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function toIso(date: Date | number): IsoTime {
  return new Date(date).toISOString();
}

export function addMs(iso: IsoTime, ms: number): IsoTime {
  return new Date(Date.parse(iso) + ms).toISOString();
}

export function isBefore(a: IsoTime, b: IsoTime): boolean {
  return Date.parse(a) < Date.parse(b);
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
