// The KYC sweeps and figures: document expiry (reminders before, restrictions after), stuck cases
// (an alert for the senior compliance officer), and the SLA metrics per legal entity and status.

import { RESTRICTION_KINDS, type RestrictionKind } from '../../../shared/clients/lifecycle.js';
import { DOCUMENT_TYPES, typesOfCategory } from '../../../shared/kyc/machine.js';
import { addDays, dateOf } from '../../../shared/time.js';
import type { AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import { raiseAlert } from '../alerts/service.js';
import { recordExecution } from '../policies/execution-log.js';
import { loadClient, restrictClient } from '../clients/restrictions.js';
import { KYC_AUTOMATION } from './case-record.js';
import { slaOf } from './evidence.js';
import type { KycRisk } from './risk.js';
import { humanize } from '../../../shared/labels.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

const DAY = 86_400_000;

export class KycSweeps {
  constructor(
    private readonly store: Store,
    private readonly risk: KycRisk,
  ) {}

  /**
   * The daily sweep: a reminder to the client 60 and 30 days (per policy) before a current document
   * expires, one each however often the sweep runs; at expiry, the restriction the policy names for
   * that kind of document (identity: no new positions; proof of address: no withdrawals).
   */
  async sweepDocumentExpiry(): Promise<{ reminders: number; restricted: number }> {
    const today = dateOf(this.store.now());
    const review = await this.risk.reviewPolicy(this.store.kysely);
    const horizon = addDays(today, Math.max(...review.document.documents.reminderDaysBefore));
    const docs = await this.store.kysely
      .selectFrom('documents as d')
      .innerJoin('clients as c', 'c.id', 'd.client_id')
      .select(['d.id', 'd.client_id', 'd.legal_entity', 'd.document_type', 'd.expires_at', 'c.status as client_status', 'c.restrictions_json'])
      .where('d.status', 'in', ['received', 'accepted'])
      .where('d.expires_at', 'is not', null)
      .where('d.expires_at', '<=', horizon)
      .where('c.status', '!=', 'closed')
      .orderBy('d.id')
      .execute();
    let reminders = 0;
    let restricted = 0;
    const leads = [...review.document.documents.reminderDaysBefore].sort((a, b) => a - b);
    for (const doc of docs) {
      const spec = DOCUMENT_TYPES[doc.document_type];
      const daysLeft = Math.round((Date.parse(`${doc.expires_at}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY);
      if (daysLeft > 0) {
        const lead = leads.find((d) => d >= daysLeft);
        if (lead === undefined) continue;
        const exists = await this.store.kysely.selectFrom('notifications').select('id').where('subject_ref', '=', doc.id).where('kind', '=', 'document_expiry_reminder').where('days_before', '=', lead).executeTakeFirst();
        if (exists) continue;
        await this.store.mutate(KYC_AUTOMATION, async (m) => {
          const id = await nextRef(m.trx, 'NTF');
          const title = `Your ${spec.label.toLowerCase()} expires on ${doc.expires_at}`;
          const body = `Please upload a valid ${spec.label.toLowerCase()} before ${doc.expires_at}. After that date your account will be restricted (${spec.category === 'identity' ? 'no new positions' : 'no withdrawals'}) until we receive it.`;
          const inserted = await m.trx.insertInto('notifications').values({ id, client_id: doc.client_id, legal_entity: doc.legal_entity, kind: 'document_expiry_reminder', channel: 'email', subject_ref: doc.id, days_before: lead, due_date: doc.expires_at, title, body, status: 'queued', created_at: m.now }).onConflict((oc) => oc.columns(['subject_ref', 'kind', 'days_before']).doNothing()).executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
          m.audit({ action: 'client.notification.queued', targetType: 'notification', targetId: id, clientId: doc.client_id, legalEntity: doc.legal_entity, after: { kind: 'document_expiry_reminder', documentId: doc.id, daysBefore: lead, dueDate: doc.expires_at, channel: 'email' } });
          reminders++;
        });
        continue;
      }
      const what = spec.category === 'identity' ? review.document.documents.onExpiry.identity : spec.category === 'address' ? review.document.documents.onExpiry.address : 'none';
      if (what === 'none') continue;
      const kind: RestrictionKind = what === 'trading' ? 'document_expired_identity' : 'document_expired_address';
      if (readJson(JSON_COLUMNS.restrictions, doc.restrictions_json, `clients.restrictions_json of ${doc.client_id}`).includes(kind)) continue;
      // A newer document of the same category, still valid, means nothing is missing.
      const sameCategory = typesOfCategory(spec.category);
      const valid = await this.store.kysely.selectFrom('documents').select('id').where('client_id', '=', doc.client_id).where('status', 'in', ['received', 'accepted']).where('document_type', 'in', sameCategory).where((w) => w.or([w('expires_at', 'is', null), w('expires_at', '>', today)])).executeTakeFirst();
      if (valid) continue;
      if (doc.client_status !== 'approved' && doc.client_status !== 'restricted') continue;
      await this.store.mutate(KYC_AUTOMATION, async (m) => {
        const client = await loadClient(m, doc.client_id);
        await restrictClient(m, client, kind, { reason: `${spec.label} ${doc.id} expired on ${doc.expires_at}: ${RESTRICTION_KINDS[kind].label.toLowerCase()}`, policyRef: review.ref });
        await recordExecution(m, {
          policy: review,
          event: 'kyc.document.expired',
          subjectType: 'document',
          subjectId: doc.id,
          legalEntity: doc.legal_entity,
          clientId: doc.client_id,
          outcome: `restricted: ${RESTRICTION_KINDS[kind].label.toLowerCase()}`,
          conditions: [{ name: `an expired ${spec.category} document restricts ${what}`, values: { document: doc.id, expiredOn: doc.expires_at, validReplacement: false }, result: true }],
          actions: [{ action: 'restrict client', restriction: kind }],
        });
        restricted++;
      });
    }
    return { reminders, restricted };
  }

  /** Time in each status across cases, SLA breaches and stuck cases, per legal entity in scope. */
  async metrics(auth: AuthContext) {
    const scope = auth.scope('kyc.read');
    if (scope.length === 0) return { items: [], nextCursor: null };
    const review = await this.risk.reviewPolicy(this.store.kysely);
    const now = this.store.now();
    const rows = await this.store.kysely
      .selectFrom('kyc_cases as k')
      .innerJoin('clients as c', 'c.id', 'k.client_id')
      .select(['k.legal_entity', 'k.status', 'k.status_changed_at', 'k.updated_at', 'k.status_seconds_json', 'k.verification_status', 'c.status as client_status'])
      .where('k.legal_entity', 'in', scope)
      .execute();
    const by = new Map<string, { legalEntity: string; status: string; cases: number; breached: number; stuck: number; manual: number; currentHoursTotal: number }>();
    const spent = new Map<string, { seconds: number; cases: number }>();
    for (const r of rows) {
      const key = `${r.legal_entity}|${r.status}`;
      const sla = slaOf(r, review.document, now, r.client_status);
      const agg = by.get(key) ?? { legalEntity: r.legal_entity, status: r.status, cases: 0, breached: 0, stuck: 0, manual: 0, currentHoursTotal: 0 };
      agg.cases++;
      if (sla.breached) agg.breached++;
      if (sla.stuck) agg.stuck++;
      if (r.verification_status === 'manual') agg.manual++;
      agg.currentHoursTotal += (Date.parse(now) - Date.parse(r.status_changed_at)) / 3_600_000;
      by.set(key, agg);
      for (const [status, seconds] of Object.entries(readJson(JSON_COLUMNS.statusSeconds, r.status_seconds_json, 'kyc_cases.status_seconds_json'))) {
        const k = `${r.legal_entity}|${status}`;
        const s = spent.get(k) ?? { seconds: 0, cases: 0 };
        s.seconds += seconds;
        s.cases++;
        spent.set(k, s);
      }
    }
    const items = [...by.values()].map((a) => {
      const past = spent.get(`${a.legalEntity}|${a.status}`);
      return { legalEntity: a.legalEntity, status: a.status, cases: a.cases, slaBreached: a.breached, stuck: a.stuck, manualQueue: a.manual, averageHoursInStatusNow: Math.round((a.currentHoursTotal / a.cases) * 10) / 10, averageHoursSpentBefore: past ? Math.round((past.seconds / past.cases / 3600) * 10) / 10 : null };
    });
    items.sort((x, y) => x.legalEntity.localeCompare(y.legalEntity) || x.status.localeCompare(y.status));
    return { items, nextCursor: null, policyRef: review.ref };
  }

  /** Flags stuck cases (no change for the policy's time) with one alert each for the senior compliance officer. */
  async sweepSla(): Promise<{ flagged: number }> {
    const review = await this.risk.reviewPolicy(this.store.kysely);
    const now = this.store.now();
    const cutoff = new Date(Date.parse(now) - review.document.sla.stuckAfterHours * 3_600_000).toISOString();
    const stuck = await this.store.kysely.selectFrom('kyc_cases').selectAll().where('status', 'in', ['open', 'pending_documents', 'escalated']).where('updated_at', '<', cutoff).orderBy('id').execute();
    let flagged = 0;
    for (const kase of stuck) {
      const open = await this.store.kysely.selectFrom('alerts').select('id').where('kind', '=', 'kyc_case_stuck').where('source_ref', '=', kase.id).where('created_at', '>=', kase.updated_at).executeTakeFirst();
      if (open) continue;
      await this.store.mutate(KYC_AUTOMATION, async (m) => {
        const hours = Math.floor((Date.parse(now) - Date.parse(kase.updated_at)) / 3_600_000);
        const alert = await raiseAlert(m, { kind: 'kyc_case_stuck', legalEntity: kase.legal_entity, clientId: kase.client_id, severity: 'medium', forRole: 'senior_compliance_officer', summary: `${kase.id} has not moved for ${hours} hours (${humanize(kase.status)})`, details: { caseRef: kase.id, status: kase.status, since: kase.updated_at, stuckAfterHours: review.document.sla.stuckAfterHours }, sourceRef: kase.id });
        await recordExecution(m, {
          policy: review,
          event: 'kyc.case.stuck',
          subjectType: 'kyc_case',
          subjectId: kase.id,
          legalEntity: kase.legal_entity,
          clientId: kase.client_id,
          outcome: 'flagged stuck',
          conditions: [{ name: `no change for ${review.document.sla.stuckAfterHours} hours or more`, values: { status: kase.status, since: kase.updated_at, hours }, result: true }],
          actions: [{ action: 'raise alert', alert, forRole: 'senior_compliance_officer' }],
        });
        flagged++;
      });
    }
    return { flagged };
  }
}
