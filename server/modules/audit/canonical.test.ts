import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, eventHash, GENESIS_HASH, type HashedFields } from './canonical.js';

const fields: HashedFields = {
  seq: 1, at: '2026-01-01T00:00:00.000Z', actor_id: 'USR-000001', actor_name: 'admin', ip: '127.0.0.1', user_agent: 'ua', session_id: null,
  action: 'access.user.created', target_type: 'user', target_id: 'USR-000002', client_id: null, legal_entity: null, before_json: null,
  after_json: '{"username":"x"}', reason: null, approvers_json: null, case_ref: null, policy_ref: null, prev_hash: GENESIS_HASH,
};

describe('canonical JSON and the event hash', () => {
  it('does not depend on key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
  });

  it('refuses what JSON cannot carry faithfully', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(/non-finite/);
    expect(() => canonicalJson(() => 1)).toThrow(/cannot serialise/);
  });

  it('changes when any hashed field or the previous hash changes', () => {
    const base = eventHash(fields);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    for (const key of Object.keys(fields) as Array<keyof HashedFields>) {
      const changed = { ...fields, [key]: key === 'seq' ? 2 : `${String(fields[key])}x` };
      expect(eventHash(changed), key).not.toBe(base);
    }
  });
});
