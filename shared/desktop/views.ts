// The grid views the desktop cache holds, with their columns. The host builds its tables, indexes
// and SQL from these definitions only; the renderer builds its column definitions from them.

import type { ViewDefinition } from './grid.js';

export const VIEWS = {
  audit: {
    name: 'audit',
    key: 'seq',
    columns: {
      seq: { type: 'number', indexed: true },
      at: { type: 'date', indexed: true },
      actor: { type: 'text', indexed: true, search: true },
      action: { type: 'text', indexed: true, search: true },
      targetType: { type: 'text', indexed: true },
      targetId: { type: 'text', indexed: true, search: true },
      clientId: { type: 'text', indexed: true, search: true },
      legalEntity: { type: 'text', indexed: true },
      caseRef: { type: 'text', indexed: true, search: true },
      reason: { type: 'text', search: true },
      ip: { type: 'text' },
    },
  },
  approvals: {
    name: 'approvals',
    key: 'id',
    columns: {
      id: { type: 'text', indexed: true, search: true },
      kind: { type: 'text', indexed: true, search: true },
      summary: { type: 'text', search: true },
      maker: { type: 'text', indexed: true, search: true },
      legalEntity: { type: 'text', indexed: true },
      status: { type: 'text', indexed: true },
      tier: { type: 'text' },
      approvalsGiven: { type: 'number' },
      requiredCount: { type: 'number' },
      createdAt: { type: 'date', indexed: true },
      expiresAt: { type: 'date', indexed: true },
    },
  },
  grants: {
    name: 'grants',
    key: 'grantId',
    columns: {
      grantId: { type: 'text', indexed: true },
      username: { type: 'text', indexed: true, search: true },
      displayName: { type: 'text', search: true },
      role: { type: 'text', indexed: true, search: true },
      legalEntity: { type: 'text', indexed: true },
      grantedAt: { type: 'date', indexed: true },
      requestedBy: { type: 'text', search: true },
      approvedBy: { type: 'text', search: true },
      reason: { type: 'text', search: true },
      revokedAt: { type: 'date', indexed: true },
    },
  },
  screening: {
    name: 'screening',
    key: 'id',
    columns: {
      id: { type: 'text', indexed: true, search: true },
      status: { type: 'text', indexed: true },
      flags: { type: 'text', indexed: true, search: true },
      score: { type: 'number', indexed: true },
      subject: { type: 'text', indexed: true, search: true },
      clientId: { type: 'text', indexed: true, search: true },
      legalEntity: { type: 'text', indexed: true },
      list: { type: 'text', indexed: true, search: true },
      entryName: { type: 'text', indexed: true, search: true },
      trigger: { type: 'text', indexed: true },
      createdAt: { type: 'date', indexed: true },
      decidedBy: { type: 'text', indexed: true, search: true },
      decidedAt: { type: 'date', indexed: true },
    },
  },
  kyc: {
    name: 'kyc',
    key: 'caseRef',
    columns: {
      caseRef: { type: 'text', indexed: true, search: true },
      status: { type: 'text', indexed: true },
      riskLevel: { type: 'text', indexed: true },
      riskScore: { type: 'number', indexed: true },
      clientName: { type: 'text', indexed: true, search: true },
      clientId: { type: 'text', indexed: true, search: true },
      clientType: { type: 'text', indexed: true },
      country: { type: 'text', indexed: true, search: true },
      legalEntity: { type: 'text', indexed: true },
      verification: { type: 'text', indexed: true },
      assignee: { type: 'text', indexed: true, search: true },
      slaDueAt: { type: 'date', indexed: true },
      flags: { type: 'text', indexed: true, search: true },
      createdAt: { type: 'date', indexed: true },
      updatedAt: { type: 'date', indexed: true },
    },
  },
  alerts: {
    name: 'alerts',
    key: 'id',
    columns: {
      id: { type: 'text', indexed: true, search: true },
      status: { type: 'text', indexed: true },
      severity: { type: 'text', indexed: true },
      kind: { type: 'text', indexed: true, search: true },
      forRole: { type: 'text', indexed: true },
      clientId: { type: 'text', indexed: true, search: true },
      clientName: { type: 'text', search: true },
      legalEntity: { type: 'text', indexed: true },
      summary: { type: 'text', search: true },
      sourceRef: { type: 'text', indexed: true, search: true },
      assignee: { type: 'text', indexed: true, search: true },
      flags: { type: 'text', indexed: true, search: true },
      createdAt: { type: 'date', indexed: true },
    },
  },
  withdrawals: {
    name: 'withdrawals',
    key: 'ref',
    columns: {
      ref: { type: 'text', indexed: true, search: true },
      status: { type: 'text', indexed: true },
      amount: { type: 'number', indexed: true },
      currency: { type: 'text', indexed: true },
      clientId: { type: 'text', indexed: true, search: true },
      clientName: { type: 'text', search: true },
      legalEntity: { type: 'text', indexed: true },
      riskLevel: { type: 'text', indexed: true },
      tier: { type: 'text', indexed: true },
      approvals: { type: 'text' },
      checksFailed: { type: 'text', search: true },
      flags: { type: 'text', indexed: true, search: true },
      paymentFlags: { type: 'text', search: true },
      provider: { type: 'text', indexed: true },
      slaDueAt: { type: 'date', indexed: true },
      createdAt: { type: 'date', indexed: true },
    },
  },
} as const satisfies Record<string, ViewDefinition>;

export type ViewName = keyof typeof VIEWS;
export const VIEW_NAMES = Object.keys(VIEWS) as ViewName[];

export function isViewName(value: string): value is ViewName {
  return Object.hasOwn(VIEWS, value);
}

/** A cached row: the view's columns plus the full record for the detail pane. */
export type CacheRow = Record<string, string | number | null> & { _json?: string };
