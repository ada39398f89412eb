// The closed set of machine-readable error reasons the server sends in `error.data.reason`,
// each with the tRPC code it travels under. Clients switch on the reason, never on message text.

export const REASONS = {
  INVALID_CREDENTIALS: 'UNAUTHORIZED',
  MFA_REQUIRED: 'UNAUTHORIZED',
  MFA_INVALID: 'UNAUTHORIZED',
  MFA_ENROLMENT_REQUIRED: 'UNAUTHORIZED',
  ACCOUNT_LOCKED: 'UNAUTHORIZED',
  ACCOUNT_DISABLED: 'UNAUTHORIZED',
  DEMO_DISABLED: 'UNAUTHORIZED',
  SESSION_EXPIRED: 'UNAUTHORIZED',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  PORTAL_KEY_INVALID: 'UNAUTHORIZED',
  FORBIDDEN_PERMISSION: 'FORBIDDEN',
  OUT_OF_ENTITY_SCOPE: 'FORBIDDEN',
  SAME_PERSON_APPROVAL: 'FORBIDDEN',
  SELF_GRANT: 'FORBIDDEN',
  NOT_ASSIGNED: 'FORBIDDEN',
  DUPLICATE_APPROVER: 'CONFLICT',
  ALREADY_DECIDED: 'CONFLICT',
  ALREADY_EXISTS: 'CONFLICT',
  INVALID_TRANSITION: 'CONFLICT',
  VALIDATION_FAILED: 'BAD_REQUEST',
  LIST_REFUSED: 'BAD_REQUEST',
  POLICY_INVALID: 'BAD_REQUEST',
  PASSWORD_TOO_WEAK: 'BAD_REQUEST',
  KYC_INCOMPLETE: 'PRECONDITION_FAILED',
  DOCUMENT_EXPIRED: 'PRECONDITION_FAILED',
  INSUFFICIENT_BALANCE: 'PRECONDITION_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const;

export type Reason = keyof typeof REASONS;
export type ReasonCode = (typeof REASONS)[Reason];

export function isReason(value: unknown): value is Reason {
  return typeof value === 'string' && Object.hasOwn(REASONS, value);
}

/** A domain failure: the reason code and a sentence a person understands. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly reason: Reason,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
