// Whether the name a payment provider reports for the payer (a card holder, a bank account's
// owner) is the client's own. Card holder names are written many ways ("J SMITH", "Smith John",
// "JOSÉ DA SILVA"), so the rule is deliberately plain: after folding to ASCII and dropping
// punctuation, the client's surname (or every word of a company's name) must appear, and every
// other word of the payer's name must be one of the client's names or its initial. Anything else
// is a third-party payer, flagged for a person; never refused silently.

import anyAscii from 'any-ascii';

function words(name: string): string[] {
  return anyAscii(name)
    .toLowerCase()
    .replace(/[^a-z0-9\s]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

const COMPANY_SUFFIXES = new Set(['ltd', 'limited', 'llc', 'inc', 'plc', 'gmbh', 'sa', 'ag', 'bv', 'srl', 'co', 'corp', 'company', 'the']);

export type PayerSubject = { type: 'individual'; firstName: string; lastName: string } | { type: 'corporate'; companyName: string };

export function payerMatches(payerName: string, subject: PayerSubject): boolean {
  const payer = words(payerName);
  if (payer.length === 0) return false;
  if (subject.type === 'corporate') {
    const company = words(subject.companyName).filter((w) => !COMPANY_SUFFIXES.has(w));
    const given = new Set(payer.filter((w) => !COMPANY_SUFFIXES.has(w)));
    return company.length > 0 && company.every((w) => given.has(w)) && given.size === company.length;
  }
  const surname = words(subject.lastName);
  const names = [...words(subject.firstName), ...surname];
  if (surname.length === 0 || !surname.every((w) => payer.includes(w))) return false;
  return payer.every((w) => names.includes(w) || (w.length === 1 && names.some((n) => n.startsWith(w))));
}
