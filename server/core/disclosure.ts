// What a reader without `clients.pii` may see. Masking goes by what may be shown, not by what looks
// personal: every string in a procedure's answer is masked for such a reader unless its field is on
// the allow-list below, at any depth, inside arrays, and inside the JSON documents the change feed
// carries (`_json`). Free text (reasons, notes, summaries) is shown only where the record does not
// concern a client: a reason typed about a client may name them. The rule is applied to every
// procedure's answer by one middleware (server/trpc.ts), so a new procedure cannot forget it.
//
// Records carrying a `legalEntity` are judged by it: a reader with `clients.pii` in that entity sees
// them whole. A reader who holds `clients.pii` in every entity they work in is never masked.

export const MASK = '•••';

/**
 * Fields whose text is never a client's personal data: identifiers and references, codes and
 * states, times, staff identities, amounts and scores. Adding a field here is a privacy decision:
 * say why in the review.
 */
const SHOWN_FIELDS = new Set([
  // identifiers, references, cursors
  'id', 'seq', 'ref', 'cursor', 'nextCursor', 'sessionId', 'listVersion', 'sourceRef', 'policyRef', 'caseRef', 'approvalId', 'grantId',
  // codes and states
  'status', 'state', 'kind', 'type', 'action', 'decision', 'severity', 'forRole', 'role', 'roles', 'requiredRoles', 'permission',
  'permissions', 'legalEntity', 'legalEntities', 'targetType', 'accountType', 'clientType', 'riskLevel', 'level', 'tier', 'reasonCode',
  'screeningStatus', 'verificationStatus', 'restrictions', 'capabilities', 'availableActions', 'blockers', 'source', 'trigger',
  'documentType', 'documentTypes', 'category', 'country', 'currency', 'engine', 'version', 'policyType', 'entryKey',
  'paymentMethod', 'sourceOfFunds', 'sla', 'outcome', 'result', 'view', 'views', 'field', 'factor', 'factors', 'label', 'labels',
  'checklist', 'item', 'items', 'regulator', 'jurisdiction', 'hash', 'entryHash', 'mimeType', 'contentType', 'format', 'flags', 'matchedBy',
  // amounts in minor-unit decimal strings (a balance is not personal data; who it belongs to is the client id)
  'amount', 'available', 'pending', 'held', 'balance', 'refunded',
  // payments: the provider's name and codes, the method, the references it and we gave the payment (never the payer's name)
  'provider', 'method', 'failureCode', 'providerReference', 'providerTxId', 'platformStep',
  // withdrawals: check codes and outcomes, tiers and the slots still open, the payout's key, base amounts and the FX rate used
  'code', 'checksFailed', 'stillNeeded', 'idempotencyKey', 'baseAmount', 'baseCurrency', 'rate', 'from', 'to',
  // payment exceptions and reconciliation: kinds and codes, our references, the amounts each side holds
  'kindLabel', 'resolutionCode', 'reference', 'ledgerAmount', 'providerAmount', 'notCompared', 'clientFlags', 'paymentFlags', 'approvals',
  // MT5: logins, groups, leverage and rights, deal tickets, times and comments, MT5's own answers. A deal
  // comment (31 characters) is what the client's terminal and every dealer's MT5 Manager show anyway;
  // the back office writes only case references there.
  'login', 'group', 'leverage', 'rights', 'credit', 'value', 'valueBefore', 'valueAfter', 'change', 'connectorNote', 'ticket', 'time', 'dealTicket', 'dealer', 'comment',
  'typeLabel', 'statusLabel', 'reasonLabel', 'backOfficeAmount', 'mt5Amount', 'dealTickets', 'backOffice', 'mt5Message', 'mt5', 'types', 'reasonCodes',
  // staff, never clients
  'actor', 'by', 'username', 'owner', 'operator', 'operatorName', 'requestedByName', 'rejectedBy', 'resolvedBy', 'maker', 'coverFor', 'decidedBy', 'assignee', 'assignedTo', 'requestedBy', 'approvedBy', 'createdBy', 'reviewer', 'ip', 'userAgent',
]);

/** Field-name shapes on the allow-list: identifiers (`…Id`, `…Ids`, `…Ref`), times (`at`, `…At`), counts and versions. */
const SHOWN_SHAPES = /^(at|[a-z]+(Id|Ids|Ref|Refs|At|Hash|Count|Version|Status|Level|Kind|Type))$/;

/** Free text: shown where the record is not about a client (an access request's reason), masked where it is. */
const TEXT_FIELDS = new Set(['reason', 'note', 'notes', 'summary', 'message', 'description', 'failureReason', 'decisionReason', 'problem', 'why']);

export interface Disclosure {
  /** Holds `clients.pii` in every entity they work in: nothing is masked. */
  everywhere: boolean;
  /** Legal entities in which the reader holds `clients.pii`. */
  entities: ReadonlySet<string>;
}

export function disclosureFor(auth: { legalEntities: string[]; scope(permission: 'clients.pii'): string[] }): Disclosure {
  const entities = new Set(auth.scope('clients.pii'));
  return { everywhere: auth.legalEntities.length > 0 && auth.legalEntities.every((e) => entities.has(e)), entities };
}

function shown(key: string): boolean {
  return SHOWN_FIELDS.has(key) || SHOWN_SHAPES.test(key);
}

function concernsClient(obj: Record<string, unknown>): boolean {
  if (typeof obj.clientId === 'string') return true;
  if (obj.client !== null && typeof obj.client === 'object') return true;
  const payload = obj.payload;
  return payload !== null && typeof payload === 'object' && typeof (payload as Record<string, unknown>).clientId === 'string';
}

function walk(value: unknown, key: string | null, d: Disclosure, aboutClient: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, key, d, aboutClient));
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.legalEntity === 'string' && d.entities.has(obj.legalEntity)) return value;
    // A change-feed row is judged with the record its `_json` holds: the grid's columns and the
    // pane's document are the same record and are masked alike.
    const inner = typeof obj._json === 'string' ? (JSON.parse(obj._json) as unknown) : undefined;
    const client = aboutClient || concernsClient(obj) || (inner !== null && typeof inner === 'object' && concernsClient(inner as Record<string, unknown>));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      out[k] = k === '_json' && inner !== undefined ? JSON.stringify(walk(inner, null, d, client)) : walk(v, k, d, client);
    }
    return out;
  }
  if (typeof value !== 'string' || key === null || shown(key)) return value;
  if (TEXT_FIELDS.has(key) && !aboutClient) return value;
  return MASK;
}

/** The answer as this reader may see it. */
export function disclose<T>(value: T, d: Disclosure): T {
  if (d.everywhere) return value;
  return walk(value, null, d, false) as T;
}
