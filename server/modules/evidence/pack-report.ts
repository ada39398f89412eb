// What the pack's report.pdf says for each kind of subject, from the view as the exporter saw it
// (masked where they may not see personal data): the cover facts, the tables, the timeline.

import type { AuditItem } from '../audit/service.js';
import type { Manifest, PackCheckpoint } from './pack-format.js';
import type { ReportEvent, ReportInput, ReportTable } from './report.js';

const KIND_TITLES = { client: 'Client', staff: 'Staff member', operation: 'MT5 operation' } as const;

function text(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function short(value: unknown, max = 240): string {
  const t = text(value);
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function reportEvent(e: AuditItem & { prevHash: string }): ReportEvent {
  const details: string[] = [];
  if (e.reason) details.push(`Reason: ${short(e.reason)}`);
  if (e.caseRef) details.push(`Case: ${e.caseRef}`);
  if (e.policyRef) details.push(`Policy: ${e.policyRef}`);
  if (e.approvers && e.approvers.length > 0) details.push(`Approvers: ${e.approvers.join(', ')}`);
  if (e.before !== null) details.push(`Before: ${short(e.before)}`);
  if (e.after !== null) details.push(`After: ${short(e.after)}`);
  if (e.ip) details.push(`From ${e.ip}${e.userAgent ? ` · ${short(e.userAgent, 80)}` : ''}`);
  return { seq: e.seq, at: e.at, action: e.action, actor: e.actor, target: [e.targetType, e.targetId].filter(Boolean).join(' ') || (e.legalEntity ?? 'no target'), details, hash: e.hash };
}

interface ReportOf {
  kind: Manifest['subject']['kind'];
  id: string;
  label: string;
  legalEntity: string | null;
  // The view as the exporter saw it; its shape depends on the kind (views.ts).
  view: Record<string, unknown>;
  shownEvents: Array<AuditItem & { prevHash: string }>;
  checkpoints: readonly PackCheckpoint[];
  exportedAt: string;
  exporter: string;
  keyId: string;
  personalData: Manifest['personalData'];
  documents: Manifest['documents'];
}

function tablesOf(r: ReportOf): ReportTable[] {
  const v = r.view as Record<string, Array<Record<string, unknown>>>;
  if (r.kind === 'client') {
    return [
      {
        heading: 'Documents',
        columns: [{ label: 'Document', width: 90 }, { label: 'Type / status', width: 95 }, { label: 'Received', width: 70 }, { label: 'SHA-256 (in the pack: documents/)', width: 244 }],
        rows: (v.documents ?? []).map((d) => [text(d.documentId), `${text(d.documentType)} · ${text(d.status)}`, text(d.receivedAt).slice(0, 10), `${text(d.sha256)}${r.documents.find((x) => x.documentId === d.documentId)?.path ? '' : ' (not included: personal data)'}`]),
        empty: 'No documents were received for this client.',
      },
      {
        heading: 'Policy versions that decided',
        columns: [{ label: 'Policy version', width: 200 }, { label: 'First', width: 110 }, { label: 'Last', width: 110 }, { label: 'Decisions', width: 79 }],
        rows: (v.policies ?? []).map((p) => [text(p.policyRef), text(p.firstAt), text(p.lastAt), text(p.decisions)]),
        empty: 'No event names a policy version.',
      },
    ];
  }
  if (r.kind === 'staff') {
    return [
      {
        heading: 'Roles granted and revoked',
        columns: [{ label: 'Role / entity', width: 100 }, { label: 'Granted', width: 75 }, { label: 'Requested by', width: 95 }, { label: 'Approved by', width: 95 }, { label: 'Reason / revoked', width: 134 }],
        rows: (v.roleGrants ?? []).map((g) => [
          `${text(g.role)} · ${text(g.legalEntity)}`,
          text(g.grantedAt).slice(0, 16),
          text(g.requestedBy),
          (g.approvedBy as string[] | undefined)?.join(', ') || '— (bootstrap)',
          `${text(g.reason)}${g.revokedAt ? `\nRevoked ${text(g.revokedAt).slice(0, 16)} by ${text(g.revokeRequestedBy)}, approved by ${(g.revokeApprovedBy as string[] | undefined)?.join(', ') || '—'}: ${text(g.revokeReason)}` : ''}`,
        ]),
        empty: 'No role grants in the legal entities the exporter may see.',
      },
      {
        heading: 'Sign-ins',
        columns: [{ label: 'Event', width: 50 }, { label: 'At', width: 110 }, { label: 'Outcome', width: 110 }, { label: 'Address / agent', width: 229 }],
        rows: (v.signIns ?? []).map((s) => [`#${text(s.seq)}`, text(s.at), `${text(s.action)}${s.reason ? ` (${text(s.reason)})` : ''}`, `${text(s.ip)} · ${short(s.userAgent, 90)}`]),
        empty: 'No sign-ins in this period.',
      },
    ];
  }
  const s = r.view.subject as Record<string, unknown>;
  const facts = Object.entries(s).filter(([k, value]) => k !== 'kind' && k !== 'availableActions' && value !== null && value !== undefined);
  return [{ heading: 'The operation', columns: [{ label: 'Field', width: 130 }, { label: 'Value', width: 369 }], rows: facts.map(([k, value]) => [k, short(value, 400)]), empty: '—' }];
}

export function reportOf(r: ReportOf): ReportInput {
  const seqs = r.shownEvents.map((e) => e.seq);
  const chain = seqs.length ? `events #${seqs[0]} to #${seqs.at(-1)} of the audit chain, ${seqs.length} in all` : 'no events';
  return {
    title: `Evidence pack: ${KIND_TITLES[r.kind]} ${r.id}`,
    subjectLine: `${KIND_TITLES[r.kind]} ${r.label}${r.legalEntity ? ` · ${r.legalEntity}` : ''} · exported ${r.exportedAt}`,
    facts: [
      ['Subject', `${KIND_TITLES[r.kind]} ${r.label}`],
      ['Legal entity', r.legalEntity ?? 'all entities the exporter may see'],
      ['Exported', `${r.exportedAt} by ${r.exporter}`],
      ['Events', chain],
      ['Checkpoints', r.checkpoints.length ? r.checkpoints.map((c) => `#${c.seq}${c.root ? '' : ' (attested at export)'}`).join(', ') : 'none needed'],
      ['Personal data', r.personalData === 'included' ? 'included' : 'masked where the exporter may not see it (masked events are proven by their hash)'],
      ['Signed with', `Ed25519 key ${r.keyId}`],
    ],
    verifyHint:
      'To check this pack offline: npm run evidence:verify -- <pack.zip> --public-key audit-signing.pub.pem (the public key the broker pinned). ' +
      'It checks the manifest signature, every file hash, every event hash, each event against its signed checkpoint, and each document against the hash its event recorded.',
    tables: tablesOf(r),
    events: r.shownEvents.map(reportEvent),
  };
}
