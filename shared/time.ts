// UTC time on the wire and in storage: ISO 8601 with milliseconds and a Z, which also sorts as text.

export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
