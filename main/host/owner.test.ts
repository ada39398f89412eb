import { describe, expect, it } from 'vitest';
import { cacheAction } from '../cache/wipe-rules.js';
import { ownerOf } from './host.js';

describe('the cache owner derived from grants', () => {
  it('scopes each permission to the entities whose roles carry it', () => {
    const owner = ownerOf({ id: 'U1', grants: [{ role: 'auditor', legalEntity: 'eu' }, { role: 'support', legalEntity: 'global' }] });
    expect(owner.scope['audit.read']).toEqual(['eu']);
    expect(owner.scope['clients.read']).toEqual(['eu', 'global']);
  });

  it('sees losing a permission in one entity as narrowing, even with another role still there', () => {
    const before = ownerOf({ id: 'U1', grants: [{ role: 'auditor', legalEntity: 'eu' }, { role: 'auditor', legalEntity: 'global' }, { role: 'support', legalEntity: 'global' }] });
    const after = ownerOf({ id: 'U1', grants: [{ role: 'auditor', legalEntity: 'eu' }, { role: 'support', legalEntity: 'global' }] });
    expect(cacheAction(before, { type: 'rightsChanged', owner: after })).toBe('wipe');
  });
});
