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
  CLIENT_RESTRICTED: 'PRECONDITION_FAILED',
  PAYMENTS_UNDER_REVIEW: 'PRECONDITION_FAILED',
  PLATFORM_UNAVAILABLE: 'PRECONDITION_FAILED',
  AUDIT_CHAIN_BROKEN: 'PRECONDITION_FAILED',
  OUTSIDE_RELEASE_WINDOW: 'PRECONDITION_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const;

export type Reason = keyof typeof REASONS;

/** Each reason as a sentence for people; the code itself stays available to support (a tooltip in the desktop). */
export const REASON_SENTENCES: Record<Reason, string> = {
  INVALID_CREDENTIALS: 'The username or password is wrong.',
  MFA_REQUIRED: 'Enter the code from your authenticator app.',
  MFA_INVALID: 'The authentication code is wrong or has expired.',
  MFA_ENROLMENT_REQUIRED: 'Set up your authenticator app first.',
  ACCOUNT_LOCKED: 'The account is locked for a while after repeated failures.',
  ACCOUNT_DISABLED: 'The account is disabled.',
  DEMO_DISABLED: 'Demo accounts cannot sign in to this server.',
  SESSION_EXPIRED: 'Your session has ended; sign in again.',
  TOO_MANY_REQUESTS: 'Too many attempts; wait a moment and try again.',
  PORTAL_KEY_INVALID: 'The client portal key is not valid.',
  FORBIDDEN_PERMISSION: 'Your roles do not allow this.',
  OUT_OF_ENTITY_SCOPE: 'This belongs to a legal entity you do not work in.',
  SAME_PERSON_APPROVAL: 'A second person must approve what you asked for.',
  SELF_GRANT: 'You cannot grant yourself a role.',
  NOT_ASSIGNED: 'Assign the case to yourself first.',
  DUPLICATE_APPROVER: 'You have already approved this.',
  ALREADY_DECIDED: 'This was decided already.',
  ALREADY_EXISTS: 'This exists already.',
  INVALID_TRANSITION: 'This step is not possible in the current state.',
  VALIDATION_FAILED: 'Some of what was entered is not valid.',
  LIST_REFUSED: 'The list file was refused.',
  POLICY_INVALID: 'The policy is not valid.',
  PASSWORD_TOO_WEAK: 'The new password is too weak.',
  KYC_INCOMPLETE: 'The KYC case is not complete.',
  DOCUMENT_EXPIRED: 'A document has expired.',
  INSUFFICIENT_BALANCE: 'The balance is not enough.',
  CLIENT_RESTRICTED: 'The client\u2019s status or restrictions do not allow this.',
  PAYMENTS_UNDER_REVIEW: 'Payments of this kind are held for review after repeated failures.',
  PLATFORM_UNAVAILABLE: 'MT5 is not configured on this server, or cannot be reached now.',
  AUDIT_CHAIN_BROKEN: 'The audit log is broken: nothing is signed over it until the break is resolved.',
  OUTSIDE_RELEASE_WINDOW: 'This change may not go live now: its tier keeps releases out of these hours.',
  NOT_FOUND: 'It does not exist, or no longer does.',
  INTERNAL: 'Something went wrong on the server; the error was recorded.',
};
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
