// Segregation of duties: role pairs one person should not hold together, because one role checks
// what the other does (a finance officer approving payouts to clients whose KYC they decide, a
// dealer changing balances that finance reconciles). Granting such a pair is not refused — a
// small broker may have to — but the maker and every approver see the warning.

import { ROLE_LABELS, type Role } from './permissions.js';

const GROUPS: Array<{ name: string; roles: Role[] }> = [
  { name: 'decides KYC cases', roles: ['compliance_officer', 'senior_compliance_officer', 'mlro'] },
  { name: 'approves payments', roles: ['finance_officer', 'finance_manager'] },
  { name: 'changes trading accounts', roles: ['dealer', 'dealing_manager'] },
];

const CONFLICTS: Array<[string, string]> = [
  ['decides KYC cases', 'approves payments'],
  ['approves payments', 'changes trading accounts'],
];

const groupOf = (role: string) => GROUPS.find((g) => (g.roles as string[]).includes(role))?.name;

/** Warnings for giving `adding` to someone who holds `held` (in any entity), one sentence each. */
export function sodWarnings(held: ReadonlyArray<{ role: string; legalEntity: string }>, adding: { role: string }): string[] {
  const mine = groupOf(adding.role);
  if (!mine) return [];
  // One sentence per role held, with every entity it is held in.
  const entities = new Map<string, string[]>();
  for (const h of held) {
    const theirs = groupOf(h.role);
    if (!theirs || theirs === mine || !CONFLICTS.some(([a, b]) => (a === mine && b === theirs) || (a === theirs && b === mine))) continue;
    entities.set(h.role, [...(entities.get(h.role) ?? []), h.legalEntity]);
  }
  const label = (r: string) => ROLE_LABELS[r as Role] ?? r;
  return [...entities].map(([role, where]) => `Segregation of duties: ${label(adding.role)} ${mine}, and this person already holds ${label(role)} in ${[...new Set(where)].sort().join(' and ')}, which ${groupOf(role)}.`);
}
