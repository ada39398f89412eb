// Client personal data inside audit before/after values, masked for staff without clients.pii
// (support and IB roles): the desktop feed and the client timeline use the same rule.

const PII_KEYS = /name|email|phone|address|birth|document|iban|account|passport|subject/i;

export function maskPii(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPii);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, PII_KEYS.test(k) && typeof v === 'string' ? '•••' : maskPii(v)]));
  }
  return value;
}
