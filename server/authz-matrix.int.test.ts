// The authorization matrix, generated from the permission catalog: every procedure is called as
// every role (over real HTTP) and must allow exactly the roles whose permissions include the
// procedure's permission; entity-bound procedures must refuse the entity the caller has no role in.
// A procedure added to a router without a catalog entry fails here.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCEDURES, ROLES, ROLE_PERMISSIONS, type ProcedureGuard, type ProcedurePath, type Role } from '../shared/access/permissions.js';
import { DEFAULT_APPROVAL_TIERS } from '../shared/policies/approval-tiers.js';
import { createCallerFactory, router, staffProcedure } from './trpc.js';
import { appRouter } from './router.js';
import { describeEachEngine, startTestServer, type TestServer } from './testing/harness.js';
import { totpCode } from './modules/access/totp.js';
import { VIEW_PERMISSIONS } from '../shared/desktop/exports.js';

type Procedures = Record<string, { _def: { type: 'query' | 'mutation' | 'subscription' } }>;
const procedures = (appRouter as unknown as { _def: { procedures: Procedures } })._def.procedures;
const paths = Object.keys(procedures).sort();

/** A plausible input per procedure; entity-bound ones name `legalEntity` so scope can be probed. */
/** A procedure that has nothing to act on for a role (an export by a role that reads no grid). */
const NOTHING_FOR_ROLE = Symbol('nothing for this role');

const SAMPLES: Record<ProcedurePath, (ids: { victim: string; held: ReadonlySet<string> }) => unknown> = {
  'auth.login': () => ({ username: 'nobody', password: 'Wrong-password-1' }),
  'auth.enrolMfa': () => ({ username: 'nobody', password: 'Wrong-password-1' }),
  'auth.confirmMfa': () => ({ enrolmentId: '00000000-0000-4000-8000-000000000000', totp: '123456' }),
  'auth.logout': () => ({}),
  'auth.me': () => ({}),
  'auth.sessions': () => ({}),
  'auth.revokeSession': () => ({ sessionId: '00000000-0000-4000-8000-000000000000' }),
  'auth.changePassword': () => ({ currentPassword: 'not-it', newPassword: 'Another-passw0rd-1' }),
  'access.entities': () => ({}),
  'access.users': () => ({}),
  'access.createUser': () => ({ username: `m${randomBytes(4).toString('hex')}`, displayName: 'Matrix', password: 'Matrix-passw0rd-1' }),
  'access.grantRole': ({ victim }) => ({ userId: victim, role: 'support', legalEntity: 'eu', reason: 'matrix test' }),
  'access.revokeRole': ({ victim }) => ({ userId: victim, role: 'dealer', legalEntity: 'eu', reason: 'matrix test' }),
  'access.resetMfa': ({ victim }) => ({ userId: victim, reason: 'matrix test' }),
  'access.resetPassword': ({ victim }) => ({ userId: victim, reason: 'matrix test' }),
  'access.collectTemporaryPassword': () => ({ approvalId: 'APR-999999' }),
  'access.setUserStatus': ({ victim }) => ({ userId: victim, status: 'active', reason: 'matrix test' }),
  'access.userSessions': ({ victim }) => ({ userId: victim }),
  'access.revokeUserSession': () => ({ sessionId: '00000000-0000-4000-8000-000000000000', reason: 'matrix test' }),
  'access.review': () => ({}),
  'approvals.list': () => ({}),
  'approvals.get': () => ({ id: 'APR-999999' }),
  'approvals.approve': () => ({ id: 'APR-999999' }),
  'approvals.reject': () => ({ id: 'APR-999999', reason: 'matrix test' }),
  'approvals.cancel': () => ({ id: 'APR-999999', reason: 'matrix test' }),
  'audit.search': () => ({ legalEntity: 'eu', limit: 5 }),
  'audit.verify': () => ({}),
  'audit.signingKey': () => ({}),
  // Signed in is enough to call it; the service then needs the exported grid's read permission, so
  // each role exports a grid it reads (support and IB managers read none).
  'audit.recordExport': ({ held }) => {
    const view = (Object.keys(VIEW_PERMISSIONS) as Array<keyof typeof VIEW_PERMISSIONS>).find((v) => held.has(VIEW_PERMISSIONS[v]));
    return view ? { view, format: 'csv', rows: 1, columns: ['Ref'], filters: '', sha256: '0'.repeat(64), piiIncluded: false } : NOTHING_FOR_ROLE;
  },
  'audit.rotateSigningKey': () => ({ reason: 'matrix test', publicKey: 'not a key' }),
  'policies.types': () => ({}),
  'policies.list': () => ({}),
  'policies.get': () => ({ type: 'approvals.tiers' }),
  'policies.propose': () => ({ type: 'approvals.tiers', document: DEFAULT_APPROVAL_TIERS, reason: 'matrix test', change: { purpose: 'matrix test purpose', segments: 'nobody', edgeCases: 'none', testPlan: 'none', rollbackPlan: 'none' } }),
  'policies.republish': () => ({ type: 'approvals.tiers', version: 1, reason: 'matrix test' }),
  'portal.registerClient': () => ({ externalId: 'matrix-1', type: 'individual', legalEntity: 'eu', firstName: 'Mat', lastName: 'Rix', email: 'matrix@example.com', country: 'CY', dateOfBirth: '1980-01-01', accountType: 'standard' }),
  'portal.mt5Credentials': () => ({ clientId: 'CL-999999' }),
  'portal.updateClient': () => ({ clientId: 'CL-999999', email: 'matrix@example.com' }),
  'portal.uploadDocument': () => ({ clientId: 'CL-999999', documentType: 'passport', fileName: 'p.png', contentBase64: 'iVBORw0KGgo=' }),
  'portal.initiateDeposit': () => ({ clientId: 'CL-999999', amount: '100.00', currency: 'EUR', method: 'card', provider: 'stripe' }),
  'portal.requestWithdrawal': () => ({ clientId: 'CL-999999', amount: '100.00', currency: 'EUR', method: 'bank_transfer', provider: 'stripe', destination: { accountHolder: 'Mat Rix', account: 'CY17002001280000001200527600' } }),
  'kyc.queue': () => ({ legalEntity: 'eu', limit: 5 }),
  'kyc.get': () => ({ caseRef: 'KYC-999999' }),
  'kyc.assign': ({ victim }) => ({ caseRef: 'KYC-999999', userId: victim }),
  'kyc.requestDocuments': () => ({ caseRef: 'KYC-999999', documentTypes: ['passport'], note: 'matrix test' }),
  'kyc.escalate': () => ({ caseRef: 'KYC-999999', note: 'matrix test' }),
  'kyc.approve': () => ({ caseRef: 'KYC-999999', note: 'matrix test', policyBasis: 'matrix policy' }),
  'kyc.reject': () => ({ caseRef: 'KYC-999999', reason: 'incomplete_information', note: 'matrix test' }),
  'kyc.override': () => ({ caseRef: 'KYC-999999', decision: 'approve', reason: 'matrix test override' }),
  'kyc.document': () => ({ documentId: 'DOC-999999' }),
  'kyc.metrics': () => ({}),
  'kyc.completeEddItem': () => ({ caseRef: 'KYC-999999', item: 'adverse_media', note: 'matrix test' }),
  'kyc.retryVerification': () => ({ caseRef: 'KYC-999999' }),
  'clients.get': () => ({ clientId: 'CL-999999' }),
  'clients.timeline': () => ({ clientId: 'CL-999999' }),
  'clients.search': () => ({ query: 'CL-999999' }),
  'clients.overview': () => ({ clientId: 'CL-999999' }),
  'screening.cases': () => ({ legalEntity: 'eu', limit: 5 }),
  'screening.get': () => ({ caseId: 'SCR-999999' }),
  'screening.decide': () => ({ caseId: 'SCR-999999', decision: 'false_positive', reason: 'matrix test, not the client' }),
  'screening.listVersions': () => ({}),
  'screening.listDiff': () => ({ versionId: 'LST-999999' }),
  'alerts.list': () => ({}),
  'alerts.get': () => ({ id: 'ALR-999999' }),
  'ledger.balance': () => ({ clientId: 'CL-999999' }),
  'deposits.list': () => ({ legalEntity: 'eu', limit: 5 }),
  'deposits.get': () => ({ ref: 'DEP-999999' }),
  'withdrawals.queue': () => ({ legalEntity: 'eu', limit: 5 }),
  'withdrawals.get': () => ({ ref: 'WD-999999' }),
  'withdrawals.request': () => ({ clientId: 'CL-999999', amount: '100.00', currency: 'EUR', method: 'bank_transfer', provider: 'stripe', destination: { accountHolder: 'Mat Rix', account: 'CY17002001280000001200527600' } }),
  'withdrawals.approve': () => ({ ref: 'WD-999999' }),
  'withdrawals.reject': () => ({ ref: 'WD-999999', reason: 'matrix test reason' }),
  'withdrawals.hold': () => ({ ref: 'WD-999999', reason: 'matrix test reason' }),
  'withdrawals.release': () => ({ ref: 'WD-999999', reason: 'matrix test reason' }),
  'withdrawals.resolve': () => ({ ref: 'WD-999999', resolution: 'ask_provider', reason: 'matrix test reason' }),
  'fx.rates': () => ({}),
  'platform.status': () => ({}),
  'platform.accounts': () => ({ clientId: 'CL-999999' }),
  'interventions.reasonCodes': () => ({}),
  'interventions.request': () => ({ type: 'credit_in', login: 999_999, amount: '10.00', currency: 'EUR', reasonCode: 'bonus_campaign', note: 'matrix test note' }),
  'interventions.approve': () => ({ caseRef: 'INT-999999' }),
  'interventions.reject': () => ({ caseRef: 'INT-999999', reason: 'matrix test reason' }),
  'interventions.execute': () => ({ caseRef: 'INT-999999' }),
  'interventions.get': () => ({ caseRef: 'INT-999999' }),
  'interventions.queue': () => ({ legalEntity: 'eu', limit: 5 }),
  'interventions.unlinked': () => ({ legalEntity: 'eu' }),
  'interventions.link': () => ({ dealId: 'MOP-999999', caseRef: 'INT-999999', reason: 'matrix test reason' }),
  'interventions.escalate': () => ({ dealId: 'MOP-999999', reason: 'matrix test reason' }),
  'evidence.client': () => ({ clientId: 'CL-999999' }),
  'evidence.staff': ({ victim }) => ({ userId: victim }),
  'evidence.operation': () => ({ caseRef: 'INT-999999' }),
  'evidence.export': () => ({ subject: { clientId: 'CL-999999' } }),
  'reports.get': () => ({ report: 'accounts', from: '2026-01-01', to: '2026-01-02' }),
  'policies.dryRun': () => ({ type: 'payments.withdrawalTiers', document: {} }),
  'policies.diff': () => ({ type: 'payments.withdrawalTiers', version: 1 }),
  'policies.exportVersion': () => ({ type: 'payments.withdrawalTiers', version: 1 }),
  'policies.importVersion': () => ({ content: '{}', reason: 'Promoted from staging after its tests', change: { purpose: 'matrix test purpose', segments: 'nobody', edgeCases: 'none', testPlan: 'none', rollbackPlan: 'none' } }),
  'policies.canary': () => ({ type: 'payments.withdrawalTiers', version: 999, segment: { legalEntity: 'eu' }, reason: 'matrix test' }),
  'policies.promote': () => ({ type: 'payments.withdrawalTiers', version: 999, reason: 'matrix test' }),
  'policies.rollback': () => ({ type: 'payments.withdrawalTiers', toVersion: 999, reason: 'matrix test' }),
  'policies.changes': () => ({}),
  'policies.change': () => ({ id: 'CHG-999999' }),
  'policies.review': () => ({ id: 'CHG-999999', answer: 'approve', reason: 'matrix test' }),
  'policies.executions': () => ({ limit: 5 }),
  'policies.canaryReport': () => ({ type: 'payments.withdrawalTiers' }),
  'policies.remediations': () => ({ limit: 5 }),
  'policies.closeRemediation': () => ({ id: 'REM-999999', reason: 'matrix test' }),
  'policies.snapshots': () => ({}),
  'policies.snapshot': () => ({ id: 999999 }),
  'reconciliation.run': () => ({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' }),
  'reconciliation.importSettlement': () => ({ provider: 'simpay', fileName: 'report.csv', contentBase64: '' }),
  'reconciliation.exceptions': () => ({ legalEntity: 'eu', limit: 5 }),
  'reconciliation.takeException': () => ({ ref: 'PEX-999999' }),
  'reconciliation.resolveException': () => ({ ref: 'PEX-999999', resolutionCode: 'no_action_needed', note: 'matrix test note' }),
  'fx.record': () => ({ base: 'EUR', quote: 'USD', rate: '0', source: 'matrix test', asOf: '2026-03-02T09:00:00.000Z' }),
  'alerts.assignToMe': () => ({ id: 'ALR-999999' }),
  'alerts.acknowledge': () => ({ id: 'ALR-999999' }),
  'alerts.close': () => ({ id: 'ALR-999999', reasonCode: 'no_action_needed', note: 'matrix test note', sar: { decision: 'not_filed', reason: 'matrix test reason' } }),
  'sync.pull': () => ({ cursor: null, limit: 10 }),
  'sync.onChange': () => ({}),
};

/** Subscriptions answer as a server-sent event stream: read up to the first real event. */
async function firstEvent(res: Response, abort: AbortController): Promise<{ status: number; reason: string | undefined }> {
  const reader = res.body!.getReader();
  let text = '';
  try {
    while (!/\n\n(event: serialized-error\n)?data: (?!\{\}\n)/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  } finally {
    abort.abort();
  }
  const error = /event: serialized-error\ndata: (.*)\n/.exec(text);
  return { status: res.status, reason: error ? (JSON.parse(error[1]!) as { data?: { reason?: string } }).data?.reason : undefined };
}

async function call(url: string, path: string, input: unknown, token?: string): Promise<{ status: number; reason: string | undefined }> {
  const type = procedures[path]!._def.type;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  if (type === 'subscription') {
    const abort = new AbortController();
    const res = await fetch(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers, signal: abort.signal });
    return firstEvent(res, abort);
  }
  const res =
    type === 'query'
      ? await fetch(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await fetch(`${url}/trpc/${path}`, { method: 'POST', headers, body: JSON.stringify(input) });
  const body = (await res.json()) as { error?: { data?: { reason?: string } } };
  return { status: res.status, reason: body.error?.data?.reason };
}

describe('the permission catalog', () => {
  it('names every procedure of the router, and nothing else', () => {
    expect(paths).toEqual(Object.keys(PROCEDURES).sort());
  });

  it('refuses to run a procedure that is missing from the catalog', async () => {
    const rogue = router({ rogue: router({ unlisted: staffProcedure.query(() => 'should never run') }) });
    const caller = createCallerFactory(rogue)({ services: {} as never, req: { ip: null, userAgent: null }, authorization: null, portalKey: null, state: { auth: null } });
    await expect(caller.rogue.unlisted()).rejects.toThrow(/missing from the permission catalog/);
  });

  it('gives the auditor no permission that any mutation needs, but for recording their own export', () => {
    const auditor = new Set(ROLE_PERMISSIONS.auditor);
    // A mutation that changes nothing but the audit log's record of what the reader exported.
    const recordsAnExport = new Set(['evidence.export']);
    const mutating = paths.filter((p) => procedures[p]!._def.type === 'mutation' && !recordsAnExport.has(p)).map((p) => PROCEDURES[p as ProcedurePath] as ProcedureGuard);
    expect(mutating.filter((g) => g !== 'public' && g !== 'authenticated' && g !== 'portal' && auditor.has(g as never))).toEqual([]);
  });
});

describeEachEngine('authorization matrix', (engine) => {
  let t: TestServer;
  const tokens = new Map<Role, string>();
  let victim = '';

  beforeAll(async () => {
    t = await startTestServer(engine);
    const { users, grants, store } = t.server.services;
    const actor = { id: 'seed', name: 'seed', ip: null, userAgent: null, sessionId: null };
    victim = (await users.createUser(actor, { username: 'matrix.victim', displayName: 'Victim', password: 'Victim-passw0rd-1' }, { mustChangePassword: false })).userId;
    await store.mutate(actor, (m) => grants.bootstrapGrant(m, { userId: victim, role: 'dealer', legalEntity: 'eu', reason: 'matrix' }));
    // One user per role, holding that role in the EU entity only.
    for (const role of ROLES) {
      const username = `matrix.${role.replaceAll('_', '-')}`;
      const { userId } = await users.createUser(actor, { username, displayName: role, password: 'Matrix-passw0rd-1' }, { mustChangePassword: false });
      const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
      await users.setTotpSecret(actor, userId, secret);
      await store.mutate(actor, (m) => grants.bootstrapGrant(m, { userId, role, legalEntity: 'eu', reason: 'matrix' }));
      const login = await t.anonymous.auth.login.mutate({ username, password: 'Matrix-passw0rd-1', totp: totpCode(secret, t.clock.now()) });
      tokens.set(role, login.token);
    }
  });
  afterAll(() => t?.close());

  // auth.logout ends the session, so it runs last.
  const ordered = [...paths.filter((p) => p !== 'auth.logout'), 'auth.logout'];

  it.each(ROLES)('as %s: allowed exactly where the catalog says, and only in its own entity', async (role) => {
    const token = tokens.get(role)!;
    const held = new Set<string>(ROLE_PERMISSIONS[role]);
    const problems: string[] = [];
    for (const path of ordered) {
      const guard = PROCEDURES[path as ProcedurePath];
      const input = SAMPLES[path as ProcedurePath]({ victim, held });
      if (guard === 'public' || guard === 'portal' || input === NOTHING_FOR_ROLE) continue;
      const r = await call(t.url, path, input, token);
      const allowed = guard === 'authenticated' || held.has(guard);
      if (allowed && r.reason === 'FORBIDDEN_PERMISSION') problems.push(`${path}: refused but ${role} holds ${guard}`);
      if (!allowed && r.reason !== 'FORBIDDEN_PERMISSION') problems.push(`${path}: expected FORBIDDEN_PERMISSION, got ${r.status} ${r.reason ?? 'success'}`);
      if (r.reason === 'INTERNAL') problems.push(`${path}: internal error`);
      if (allowed && input && typeof input === 'object' && 'legalEntity' in input) {
        const other = await call(t.url, path, { ...input, legalEntity: 'global' }, token);
        if (other.reason !== 'OUT_OF_ENTITY_SCOPE') problems.push(`${path}: another entity's data gave ${other.status} ${other.reason ?? 'success'}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('refuses every staff procedure without a session, and answers public ones', async () => {
    for (const path of paths) {
      const guard = PROCEDURES[path as ProcedurePath];
      const r = await call(t.url, path, SAMPLES[path as ProcedurePath]({ victim, held: new Set(['audit.read']) }));
      if (guard === 'public') expect(r.reason, path).not.toBe('SESSION_EXPIRED');
      else if (guard === 'portal') expect(r.reason, path).toBe('PORTAL_KEY_INVALID');
      else expect(r.reason, path).toBe('SESSION_EXPIRED');
    }
  });
});
