// Risk and re-review: scoring a client against the `kyc.risk` policy (which starts enhanced due
// diligence for high risk), applying the FATF lists on their effective dates, opening a re-review
// when an approved client's risk or key details change, and auto-verification of clean cases.

import { countriesChangedBetween, countryListOn, assessRisk, type RiskAssessment } from '../../../shared/kyc/risk.js';
import type { Mutation, Store } from '../../core/store.js';
import { loadClient } from '../clients/restrictions.js';
import type { PolicyReader } from '../policies/reader.js';
import { blockers } from './blockers.js';
import { currentCase, KYC_AUTOMATION, openCase, type EddState } from './case-record.js';
import { decideCase } from './decide.js';
import { riskInputs } from './evidence.js';
import { dateOf } from '../../../shared/time.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import { appliedCountryLists, riskAssessment } from './codecs.js';
import { recordExecution } from '../policies/execution-log.js';
import { autoVerifies, autoVerifyTrace, riskTrace, type AutoVerifyFacts } from '../../../shared/policies/explain.js';

export class KycRisk {
  constructor(
    private readonly store: Store,
    private readonly policies: PolicyReader,
  ) {}

  private async riskPolicy(db: Mutation['trx'] | Store['kysely']) {
    return this.policies.require(db, 'kyc.risk');
  }

  async reviewPolicy(db: Mutation['trx'] | Store['kysely']) {
    return this.policies.require(db, 'kyc.review');
  }

  /**
   * Scores the client against the active `kyc.risk` policy and records it on the client and on the
   * current undecided case; a high score starts the enhanced-due-diligence checklist. Audited when
   * the score or its breakdown changes.
   */
  async assess(m: Mutation, clientId: string): Promise<{ assessment: RiskAssessment; previousLevel: string | null }> {
    const client = await loadClient(m, clientId);
    const kase = await currentCase(m, clientId);
    // A canary of the risk weights scores the clients (or cases) in its segment.
    const policy = await this.policies.forSubject(m.trx, 'kyc.risk', { legalEntity: client.legal_entity, country: client.country, client: client.id, request: kase?.id });
    const inputs = await riskInputs(m.trx, client);
    const assessment = assessRisk(policy.document, policy.ref, inputs, dateOf(m.now));
    const previousLevel = client.risk_level;
    const undecided = kase && !kase.decision;
    const previous = undecided && kase.risk_json ? readJson(riskAssessment, kase.risk_json, `kyc_cases.risk_json of ${kase.id}`) : null;
    const same = previous && previous.score === assessment.score && JSON.stringify(previous.factors) === JSON.stringify(assessment.factors) && previous.policyRef === assessment.policyRef;
    if (client.risk_level !== assessment.level) {
      await m.trx.updateTable('clients').set({ risk_level: assessment.level, updated_at: m.now }).where('id', '=', clientId).execute();
      m.changed('clients', clientId, client.legal_entity, 'update');
    }
    if (undecided && !same) {
      const startEdd = assessment.level === 'high' && kase.edd_json === null;
      const edd: EddState | null = startEdd ? { policyRef: policy.ref, items: {} } : kase.edd_json ? (readJson(JSON_COLUMNS.edd, kase.edd_json, `kyc_cases.edd_json of ${kase.id}`) as EddState) : null;
      await m.trx.updateTable('kyc_cases').set({ risk_level: assessment.level, risk_score: assessment.score, risk_json: JSON.stringify(assessment), edd_json: edd ? JSON.stringify(edd) : null, updated_at: m.now }).where('id', '=', kase.id).execute();
      m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
      if (startEdd) m.audit({ action: 'kyc.edd.required', targetType: 'kyc_case', targetId: kase.id, clientId, legalEntity: kase.legal_entity, caseRef: kase.id, after: { checklist: policy.document.edd.map((i) => i.label) }, reason: `Risk is high (score ${assessment.score})`, policyRef: policy.ref });
    }
    if (!same) {
      m.audit({
        action: 'kyc.risk.assessed',
        targetType: 'client',
        targetId: clientId,
        clientId,
        legalEntity: client.legal_entity,
        caseRef: kase?.id,
        before: previous ? { score: previous.score, level: previous.level } : previousLevel ? { level: previousLevel } : null,
        after: { score: assessment.score, level: assessment.level, factors: assessment.factors, countryListDate: assessment.countryListDate },
        policyRef: policy.ref,
      });
      await recordExecution(m, {
        policy,
        event: 'kyc.risk.assessed',
        subjectType: kase ? 'kyc_case' : 'client',
        subjectId: kase?.id ?? clientId,
        legalEntity: client.legal_entity,
        clientId,
        outcome: assessment.level,
        conditions: riskTrace(policy.document, assessment),
        actions: [{ action: 'score client', score: assessment.score, level: assessment.level, ...(previousLevel !== assessment.level ? { from: previousLevel } : {}), ...(undecided && assessment.level === 'high' && kase.edd_json === null ? { startEdd: true } : {}) }],
        inputs: { risk: inputs, date: dateOf(m.now) },
      });
    }
    return { assessment, previousLevel };
  }

  /**
   * FATF lists take effect on their plenary's date, not when the policy is approved. Compares the
   * list in force today with the one last applied (recorded in the audit log as
   * `kyc.country_lists.applied`; none before the first), and re-scores every client
   * whose residence, nationality or a party's is listed differently: an approved client whose risk
   * level moves gets a re-review case. Daily just after midnight UTC, and once at start.
   */
  async applyCountryLists(): Promise<{ listDate: string | null; countries: string[]; rescored: number }> {
    const db = this.store.kysely;
    const today = dateOf(this.store.now());
    const policy = await this.riskPolicy(db);
    const current = countryListOn(policy.document.countryLists, today);
    const last = await db.selectFrom('audit_events').select('after_json').where('action', '=', 'kyc.country_lists.applied').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const applied = last?.after_json ? readJson(appliedCountryLists, last.after_json, 'audit_events.after_json of kyc.country_lists.applied').list : undefined;
    const previous = applied ?? null;
    const countries = countriesChangedBetween(previous, current);
    const listDate = current?.effectiveDate ?? null;
    if (countries.length === 0 && (previous?.effectiveDate ?? null) === listDate) return { listDate, countries, rescored: 0 };
    const clients = countries.length
      ? await db
          .selectFrom('clients')
          .select('id')
          .where('status', '!=', 'closed')
          .where((w) => w.or([w('country', 'in', countries), w('nationality', 'in', countries), w('id', 'in', w.selectFrom('client_parties').select('client_id').where((p) => p.or([p('country', 'in', countries), p('nationality', 'in', countries)])))]))
          .orderBy('id')
          .execute()
      : [];
    // One client per transaction: a run cut short is finished by the next one (a re-score that finds nothing new writes nothing).
    for (const c of clients) await this.store.mutate(KYC_AUTOMATION, (m) => this.onClientChanged(m, c.id, ['countryLists']));
    await this.store.mutate(KYC_AUTOMATION, async (m) => {
      m.audit({
        action: 'kyc.country_lists.applied',
        targetType: 'policy',
        targetId: 'kyc.risk',
        before: { listDate: previous?.effectiveDate ?? null },
        after: { date: today, listDate, list: current, countries, clients: clients.length },
        reason: countries.length ? `FATF lists of ${listDate ?? 'none'} in force: ${countries.join(', ')} listed differently; ${clients.length} client(s) re-scored` : `FATF lists of ${listDate ?? 'none'} in force; no country changed`,
        policyRef: policy.ref,
      });
    });
    return { listDate, countries, rescored: clients.length };
  }

  /**
   * After a change to the client (registration, details, payment method, screening): re-scores, and
   * where the client was already approved and its country, payment method or risk level changed,
   * opens a re-review case. Runs inside the mutation that made the change.
   */
  async onClientChanged(m: Mutation, clientId: string, changes: string[]): Promise<void> {
    const { assessment, previousLevel } = await this.assess(m, clientId);
    const kase = await currentCase(m, clientId);
    if (!kase) return;
    const reasons: string[] = [];
    if (changes.includes('country')) reasons.push('country of residence changed');
    if (changes.includes('paymentMethod')) reasons.push('payment method changed');
    if (previousLevel !== null && previousLevel !== assessment.level) reasons.push(`risk changed from ${previousLevel} to ${assessment.level}`);
    if (kase.decision === 'approved' && reasons.length) {
      const client = await loadClient(m, clientId);
      if (client.status === 'closed') return;
      const caseRef = await openCase(m, client, `Re-review: ${reasons.join('; ')}`);
      await this.assess(m, clientId);
      m.audit({ action: 'kyc.rereview.opened', targetType: 'kyc_case', targetId: caseRef, clientId, legalEntity: client.legal_entity, caseRef, before: { caseRef: kase.id }, reason: reasons.join('; ') });
      return;
    }
    if (!kase.decision) await this.autoVerify(m, kase.id);
  }

  /**
   * Auto-verification: approves a clean, low-risk, provider-verified case where the `kyc.review`
   * policy allows it, and says whether it did. Nothing is auto-rejected. Once the provider has
   * verified the documents the outcome is the policy's to decide, so it is logged either way (a
   * case left for a person too, once per change of its facts), for dry runs of `kyc.review`.
   */
  async autoVerify(m: Mutation, caseRef: string): Promise<boolean> {
    const kase = await m.trx.selectFrom('kyc_cases').selectAll().where('id', '=', caseRef).executeTakeFirstOrThrow();
    if (kase.status !== 'open' || kase.verification_status !== 'verified') return false;
    const review = await this.reviewPolicy(m.trx);
    const client = await loadClient(m, kase.client_id);
    const facts: AutoVerifyFacts = { legalEntity: kase.legal_entity, verification: kase.verification_status, riskLevel: kase.risk_level, screening: client.screening_status, blockers: (await blockers(m.trx, kase, client, dateOf(m.now))).length };
    const risk = kase.risk_json ? readJson(riskAssessment, kase.risk_json, `kyc_cases.risk_json of ${kase.id}`) : null;
    const approve = risk !== null && autoVerifies(review.document, facts);
    const last = await m.trx.selectFrom('policy_executions').select(['outcome', 'inputs_json']).where('subject_id', '=', kase.id).where('policy_type', '=', 'kyc.review').orderBy('id', 'desc').limit(1).executeTakeFirst();
    const outcome = approve ? 'approved' : 'left for review';
    if (approve || last?.outcome !== outcome || last.inputs_json !== JSON.stringify(facts)) {
      await recordExecution(m, {
        policy: review,
        event: 'kyc.case.verified',
        subjectType: 'kyc_case',
        subjectId: kase.id,
        legalEntity: kase.legal_entity,
        clientId: client.id,
        outcome,
        conditions: autoVerifyTrace(review.document, facts),
        actions: [approve ? { action: 'approve case automatically', riskScore: risk?.score ?? null, riskPolicy: risk?.policyRef ?? null } : { action: 'leave for a reviewer' }],
        inputs: facts,
      });
    }
    if (!approve) return false;
    const basis = `Auto-verification under ${review.ref}: documents verified by the provider, screening clear, risk low (score ${risk.score}, ${risk.policyRef})`;
    await decideCase(m, kase, client, { outcome: 'approved', action: 'kyc.case.auto_verified', note: 'Approved automatically', decidedBy: KYC_AUTOMATION.id, policyBasis: basis, reason: basis, after: { policyBasis: basis }, policyRef: review.ref, clientReason: basis });
    return true;
  }
}
