// Who is screened for a client: the client, and for a company each director, shareholder and
// owner, each with the name, birth date and nationality the matcher compares.

import type { ClientPartyRow, ClientRow } from '../../db/schema.js';
import type { PartialDate } from './lists/model.js';
import type { Subject } from './matching/matcher.js';

/** One person or company being screened: a client, or a director/shareholder/owner of one. */
export interface ScreeningSubject {
  clientId: string;
  /** '' for the client itself */
  partyId: string;
  legalEntity: string;
  subject: Subject;
}

export function partialDate(iso: string | null | undefined): PartialDate | undefined {
  if (!iso) return undefined;
  const [y, m, d] = iso.split('-').map(Number);
  return { year: y!, ...(m ? { month: m } : {}), ...(d ? { day: d } : {}) };
}

export function clientSubjects(client: ClientRow, parties: readonly ClientPartyRow[]): ScreeningSubject[] {
  const birthDate = partialDate(client.date_of_birth);
  const own: ScreeningSubject = {
    clientId: client.id,
    partyId: '',
    legalEntity: client.legal_entity,
    subject: {
      name: client.display_name,
      schema: client.type === 'corporate' ? 'Company' : 'Person',
      ...(birthDate ? { birthDate } : {}),
      ...(client.nationality ? { nationality: client.nationality } : {}),
    },
  };
  return [
    own,
    ...parties.map((p) => {
      const dob = partialDate(p.date_of_birth);
      return {
        clientId: client.id,
        partyId: p.id,
        legalEntity: client.legal_entity,
        subject: { name: `${p.first_name} ${p.last_name}`, schema: 'Person' as const, ...(dob ? { birthDate: dob } : {}), ...(p.nationality ? { nationality: p.nationality } : {}) },
      };
    }),
  ];
}
