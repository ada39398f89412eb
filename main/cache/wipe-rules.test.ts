import { describe, expect, it } from 'vitest';
import { cacheAction, type CacheOwner } from './wipe-rules.js';

const owner = (userId: string, scope: Record<string, readonly string[]>): CacheOwner => ({ userId, scope });
const eu = owner('USR-1', { 'audit.read': ['eu'], 'clients.read': ['eu'] });

describe('cache wipe rules', () => {
  it('wipes on sign-out and on revocation', () => {
    expect(cacheAction(eu, { type: 'signOut' })).toBe('wipe');
    expect(cacheAction(eu, { type: 'sessionRevoked' })).toBe('wipe');
  });

  it('only locks on an expired session', () => {
    expect(cacheAction(eu, { type: 'sessionExpired' })).toBe('lock');
  });

  it('wipes when another user signs in', () => {
    expect(cacheAction(eu, { type: 'signIn', owner: owner('USR-2', eu.scope) })).toBe('wipe');
  });

  it('keeps the cache of the same user with the same rights', () => {
    expect(cacheAction(eu, { type: 'signIn', owner: owner('USR-1', { 'clients.read': ['eu'], 'audit.read': ['eu'] }) })).toBe('keep');
  });

  it('wipes when rights narrow: an entity or a permission removed', () => {
    expect(cacheAction(eu, { type: 'rightsChanged', owner: owner('USR-1', { 'audit.read': [], 'clients.read': ['eu'] }) })).toBe('wipe');
    expect(cacheAction(eu, { type: 'rightsChanged', owner: owner('USR-1', { 'clients.read': ['eu'] }) })).toBe('wipe');
    expect(cacheAction(eu, { type: 'signIn', owner: owner('USR-1', { 'audit.read': ['global'], 'clients.read': ['eu'] }) })).toBe('wipe');
  });

  it('resyncs, without wiping, when rights only widen', () => {
    expect(cacheAction(eu, { type: 'rightsChanged', owner: owner('USR-1', { 'audit.read': ['eu', 'global'], 'clients.read': ['eu'] }) })).toBe('resync');
    expect(cacheAction(eu, { type: 'rightsChanged', owner: owner('USR-1', { ...eu.scope, 'kyc.read': ['eu'] }) })).toBe('resync');
  });
});
