// The demo's rule changes, made through the real paths on first start: a withdrawal-tier change
// with its 30-day dry run, submitted as a canary for the EU entity and half way through its tier-3
// chain (owner and maintainer given, compliance and finance-or-risk waiting), and an intervention
// SLA change a reviewer sent back for changes. Runs once: the audit log keeps `seed.rules.completed`.

import { DomainError } from '../../shared/errors.js';
import { DEFAULT_INTERVENTION_TIERS } from '../../shared/policies/platform.js';
import type { Services } from '../services.js';
import { SYSTEM_ACTOR } from '../core/actor.js';
import { staff } from './kyc-stories.js';

const DAY = 86_400_000;

export async function seedRuleChanges(services: Services, log: (line: string) => void): Promise<void> {
  const db = services.store.kysely;
  if (await db.selectFrom('audit_events').select('seq').where('action', '=', 'seed.rules.completed').limit(1).executeTakeFirst()) return;
  const [senior, finmanager, admin, mlro] = await Promise.all(['senior', 'finmanager', 'admin', 'mlro'].map((u) => staff(services, u)));
  const now = services.store.now();
  const window = { from: new Date(Date.parse(now) - 30 * DAY).toISOString(), to: now };

  const tiers = structuredClone((await services.policies.require(db, 'payments.withdrawalTiers')).document) as { tiers: Array<{ name: string; upToBase?: number }> };
  const band = tiers.tiers.find((t) => t.name === 'up to 1,000');
  if (!band) throw new DomainError('POLICY_INVALID', 'The demo expects the shipped withdrawal tiers (a band "up to 1,000").');
  band.upToBase = 150_000;
  const wider = await services.policyChanges.submit(senior!.actor, {
    type: 'payments.withdrawalTiers',
    document: tiers,
    reason: 'Withdrawal queue above its SLA on Mondays',
    change: {
      purpose: 'One approver for withdrawals up to 1,500 in the base currency, to bring Monday queue times under the SLA',
      segments: 'Withdrawals between 1,000 and 1,500 (base currency) of low and medium-risk clients, both entities',
      edgeCases: 'First withdrawals keep two approvers; high-risk clients keep their tier; no FX rate still means the top tier',
      testPlan: '30-day dry run; a canary on the EU entity for two weeks, compared with Global',
      rollbackPlan: 'Roll back to the version in force; re-check the withdrawals approved by one person under the canary',
    },
    dryRun: window,
    canary: { legalEntity: 'eu' },
  });
  await services.approvals.approve(finmanager!.actor, wider.approvalId, 'Owner: the dry run matches the February queue');
  await services.approvals.approve(admin!.actor, wider.approvalId, 'Maintainer: the diff touches one band only');

  const sla = structuredClone(DEFAULT_INTERVENTION_TIERS);
  for (const t of sla.tiers) t.slaHours = Math.max(1, Math.floor(t.slaHours / 2));
  const faster = await services.policyChanges.submit(finmanager!.actor, {
    type: 'platform.interventionTiers',
    document: sla,
    reason: 'Dealing desk asked for faster decisions',
    change: {
      purpose: 'Halve the approval SLA of every MT5 intervention tier',
      segments: 'Every MT5 intervention in both entities',
      edgeCases: 'Interventions requested out of hours',
      testPlan: '30-day dry run',
      rollbackPlan: 'Roll back to the version in force',
    },
    dryRun: window,
  });
  await services.approvals.needsChanges(mlro!.actor, faster.approvalId, 'Say who covers the night shift before the SLA is halved');
  await services.store.mutate(SYSTEM_ACTOR, async (m) => {
    m.audit({ action: 'seed.rules.completed', after: { changes: [wider.changeId, faster.changeId] }, reason: 'demo rule changes made through change control' });
  });
  log(`Demo rule changes: ${wider.changeId} (withdrawal tiers, canary for eu) waiting for compliance and finance or risk; ${faster.changeId} sent back for changes`);
}
