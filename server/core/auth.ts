// Who is calling, as every service sees it: the signed-in staff member with their grants, roles,
// permissions and legal-entity scope, and the entity check every service applies. Built by the
// access module at sign-in and on each request; free of the transport, so that services and jobs
// can take it without knowing about tRPC.

import { permissionsOf, type Permission, type Role } from '../../shared/access/permissions.js';
import { DomainError } from '../../shared/errors.js';
import type { UserRow } from '../db/schema.js';
import type { Actor } from './actor.js';

export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface Grant {
  role: Role;
  legalEntity: string;
}

/** The signed-in staff member as every procedure sees them. */
export interface AuthContext {
  user: { id: string; username: string; displayName: string; mustChangePassword: boolean };
  sessionId: string;
  grants: Grant[];
  roles: Role[];
  legalEntities: string[];
  permissions: Set<Permission>;
  /** Legal entities in which the user holds a role carrying the permission. */
  scope(permission: Permission): string[];
  rolesByEntity: Map<string, Role[]>;
  actor: Actor;
}

export function profileOf(auth: Pick<AuthContext, 'user' | 'grants' | 'roles' | 'legalEntities' | 'permissions'>) {
  return {
    id: auth.user.id,
    username: auth.user.username,
    displayName: auth.user.displayName,
    mustChangePassword: auth.user.mustChangePassword,
    roles: auth.roles,
    legalEntities: auth.legalEntities,
    grants: auth.grants,
    permissions: [...auth.permissions].sort(),
  };
}

export function buildAuthContext(user: UserRow, sessionId: string, grants: Grant[], req: RequestInfo): AuthContext {
  const rolesByEntity = new Map<string, Role[]>();
  for (const g of grants) rolesByEntity.set(g.legalEntity, [...(rolesByEntity.get(g.legalEntity) ?? []), g.role]);
  const roles = [...new Set(grants.map((g) => g.role))].sort();
  return {
    user: { id: user.id, username: user.username, displayName: user.display_name, mustChangePassword: user.must_change_password === 1 },
    sessionId,
    grants,
    roles,
    legalEntities: [...rolesByEntity.keys()].sort(),
    permissions: permissionsOf(roles),
    scope: (permission) => [...rolesByEntity.entries()].filter(([, rs]) => permissionsOf(rs).has(permission)).map(([e]) => e).sort(),
    rolesByEntity,
    actor: { id: user.id, name: user.username, ip: req.ip, userAgent: req.userAgent, sessionId },
  };
}

/** Throws OUT_OF_ENTITY_SCOPE unless the caller holds `permission` in `legalEntity`. */
export function requireEntity(auth: AuthContext, permission: Permission, legalEntity: string): void {
  if (!auth.scope(permission).includes(legalEntity)) {
    throw new DomainError('OUT_OF_ENTITY_SCOPE', `You do not hold "${permission}" in legal entity ${legalEntity}; your scope is ${auth.scope(permission).join(', ') || 'empty'}.`);
  }
}

/**
 * The entities a list reads in: the caller's scope for `permission`, or just `legalEntity` when the
 * filter names one (OUT_OF_ENTITY_SCOPE unless the caller holds the permission there).
 */
export function listScope(auth: AuthContext, permission: Permission, legalEntity?: string): string[] {
  if (legalEntity === undefined) return auth.scope(permission);
  requireEntity(auth, permission, legalEntity);
  return [legalEntity];
}
