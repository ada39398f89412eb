// Validation problems as sentences people understand: the field's label, then what is wrong
// ("Documents to request: choose at least one."), instead of a schema path and the validator's
// wording. Used by the server's error answers, the desktop host and the forms before they submit.

/** Labels of the fields the forms and procedures take; a field not listed is spelt out from its name. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  documentTypes: 'Documents to request',
  documentType: 'Document type',
  note: 'Note',
  policyBasis: 'Policy basis',
  reason: 'Reason',
  decision: 'Decision',
  rejectionReason: 'Rejection reason',
  username: 'Username',
  password: 'Password',
  totp: 'Authentication code',
  currentPassword: 'Current password',
  newPassword: 'New password',
  displayName: 'Name',
  legalEntity: 'Legal entity',
  role: 'Role',
  endsAt: 'End date',
  coverFor: 'Covering for',
  caseRef: 'Case',
  caseId: 'Case',
  clientId: 'Client',
  userId: 'User',
  item: 'Checklist item',
  expiresAt: 'Expiry date',
  issuedAt: 'Issue date',
  externalId: 'External id',
  firstName: 'First name',
  lastName: 'Last name',
  dateOfBirth: 'Date of birth',
  email: 'E-mail',
  reasonCode: 'Reason',
  sar: 'Suspicious-activity report',
};

/** What a validator reports (zod's issue, in the parts read here). */
export interface IssueLike {
  path: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  code?: string;
  message: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  origin?: string;
  input?: unknown;
}

/** "documentTypes" → "Documents to request"; "sourceOfFunds" → "Source of funds". */
export function fieldLabel(path: IssueLike['path']): string {
  const keys = path.map((p) => (typeof p === 'object' && p !== null ? p.key : p));
  const last = keys.at(-1);
  if (last === undefined) return 'The input';
  // Inside a list: the list, the item's number from 1, then the field ("Parties 2, first name").
  const at = keys.findLastIndex((k) => typeof k === 'number');
  if (at > 0 && at < keys.length - 1) return `${fieldLabel(keys.slice(0, at))} ${(keys[at] as number) + 1}, ${fieldLabel(keys.slice(at + 1)).toLowerCase()}`;
  if (typeof last !== 'string') return fieldLabel(keys.slice(0, -1));
  if (FIELD_LABELS[last]) return FIELD_LABELS[last];
  const words = last.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_.]/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const count = (n: number | bigint | undefined) => (n === 1 || n === 1n ? 'one' : String(n));

/** One sentence for one issue. A message the schema wrote itself is kept after the label. */
export function issueSentence(issue: IssueLike): string {
  const label = fieldLabel(issue.path);
  const n = issue.minimum;
  switch (issue.code) {
    case 'too_small':
      // A message the schema wrote itself says more than the bound.
      if (!issue.message.startsWith('Too small')) break;
      if (issue.origin === 'array' || issue.origin === 'set') return `${label}: choose at least ${count(n)}.`;
      if (issue.origin === 'string') return n === 1 || n === 1n ? `${label} is required.` : `${label} needs at least ${String(n)} characters.`;
      return `${label} must be at least ${String(n)}.`;
    case 'too_big':
      if (!issue.message.startsWith('Too big')) break;
      if (issue.origin === 'array' || issue.origin === 'set') return `${label}: choose at most ${count(issue.maximum)}.`;
      if (issue.origin === 'string') return `${label} can be at most ${String(issue.maximum)} characters.`;
      return `${label} must be at most ${String(issue.maximum)}.`;
    case 'invalid_type':
      if (issue.input === undefined || /received undefined/.test(issue.message)) return `${label} is required.`;
      return `${label} is not valid.`;
    case 'invalid_value':
      return `${label}: choose one of the options offered.`;
    case 'unrecognized_keys':
      return `${issue.message}.`;
  }
  if (/^(Invalid|Too |Expected)/.test(issue.message)) return `${label} is not valid.`;
  return `${label}: ${issue.message.replace(/\.$/, '')}.`;
}

/** Every issue as one text: the first few sentences, most forms have one problem at a time. */
export function issuesText(issues: readonly IssueLike[]): string {
  return issues
    .slice(0, 3)
    .map(issueSentence)
    .join(' ');
}
