// The shape of a stored provider event as its effects see it, and the steps an effect may take
// on it (provider-events.ts implements them; deposit-effects.ts uses them).

import type { Selectable } from 'kysely';
import type { Mutation } from '../../core/store.js';
import type { PspEventTable } from '../../db/schema-payments.js';
import type { ExceptionKind } from './exceptions.js';

export type EventRow = Selectable<PspEventTable> & { amount_text: string | null };

export type Outcome = { status: 'applied'; subject: string } | { status: 'parked'; reason: string } | { status: 'duplicate' | 'ignored'; reason: string } | { status: 'unchanged' };

/** Why an event waits: for something still to come, or for a person. */
export type Park = { reason: string; exception?: { kind: ExceptionKind; summary: string } };

/** The steps an effect takes on its event: wait (park), finish (settle), and take the business key (claim). */
export interface EventSteps {
  park(m: Mutation, event: EventRow, park: Park): Promise<Outcome>;
  settle(m: Mutation, event: EventRow, outcome: Exclude<Outcome, { status: 'parked' | 'unchanged' }>): Promise<Outcome>;
  claim(m: Mutation, event: EventRow, subject: string): Promise<boolean>;
}
