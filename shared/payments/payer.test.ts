import { describe, expect, it } from 'vitest';
import { payerMatches } from './payer.js';

const john = { type: 'individual', firstName: 'John Paul', lastName: 'Smith' } as const;

describe('payer name against the client', () => {
  it('accepts the ways a card holder name is written', () => {
    for (const name of ['John Smith', 'JOHN SMITH', 'J SMITH', 'J. P. Smith', 'Smith, John', 'john paul smith']) expect(payerMatches(name, john), name).toBe(true);
    expect(payerMatches('JOSE DA SILVA', { type: 'individual', firstName: 'José', lastName: 'da Silva' })).toBe(true);
  });

  it('flags another person, or a name without the surname', () => {
    for (const name of ['Jane Smith', 'John Smithers', 'John', 'Mary Jones', '', '  ', 'K Smith']) expect(payerMatches(name, john), name).toBe(false);
  });

  it('matches a company by every word of its name, legal suffixes aside', () => {
    const acme = { type: 'corporate', companyName: 'Acme Trading Ltd' } as const;
    expect(payerMatches('ACME TRADING LIMITED', acme)).toBe(true);
    expect(payerMatches('Acme Trading', acme)).toBe(true);
    expect(payerMatches('Acme Holdings', acme)).toBe(false);
    expect(payerMatches('Acme Trading Europe', acme)).toBe(false);
  });
});
