// One search for a client, from the desktop's search box: by client id, by the reference of any
// case about them (KYC-, SCR-, ALR-, APR-, DOC-), by external id, by a whole e-mail address or by
// part of the name. Parts of names are matched only in the legal entities where the caller may see
// personal data, so the search cannot be used to probe who is a client; ids, references and whole
// e-mail addresses (which identify one client, as an id does) in every entity the caller may read
// clients in; an MT5 login (digits) finds the client whose account it is, and an intervention
// reference (INT-) the client it is about.

import { sql } from 'kysely';
import { flagsOf } from '../../../shared/clients/flags.js';
import type { AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';

export type MatchedBy = 'client id' | 'case reference' | 'external id' | 'e-mail' | 'name' | 'MT5 login';

const CASE_TABLES = { KYC: 'kyc_cases', SCR: 'screening_cases', ALR: 'alerts', APR: 'approval_requests', DOC: 'documents' } as const;
const REF_TABLES = { WD: 'withdrawals', DEP: 'deposits', INT: 'interventions' } as const;

export class ClientSearch {
  constructor(private readonly store: Store) {}

  async search(auth: AuthContext, query: string, limit: number) {
    const readable = auth.scope('clients.read');
    const personal = auth.scope('clients.pii');
    const q = query.trim();
    if (readable.length === 0 || q.length < 2) return { items: [] };
    const db = this.store.kysely;
    const found = new Map<string, MatchedBy>();
    const add = (ids: Array<string | null>, by: MatchedBy) => ids.forEach((id) => id && !found.has(id) && found.set(id, by));

    const ref = /^(CL|KYC|SCR|ALR|APR|DOC|WD|DEP|INT)-\d{1,12}$/i.exec(q);
    if (ref) {
      const prefix = ref[1]!.toUpperCase() as 'CL' | keyof typeof CASE_TABLES | keyof typeof REF_TABLES;
      const id = q.toUpperCase();
      if (prefix === 'CL') add([id], 'client id');
      else if (prefix in REF_TABLES) add((await db.selectFrom(REF_TABLES[prefix as keyof typeof REF_TABLES]).select('client_id').where('ref', '=', id).execute()).map((r) => r.client_id), 'case reference');
      else add((await db.selectFrom(CASE_TABLES[prefix as keyof typeof CASE_TABLES]).select('client_id').where('id', '=', id).execute()).map((r) => r.client_id), 'case reference');
    } else if (/^\d{3,15}$/.test(q)) {
      // An MT5 login identifies one client's account as an id does.
      add((await db.selectFrom('mt5_accounts').select('client_id').where('login', '=', Number(q)).execute()).map((r) => r.client_id), 'MT5 login');
      add((await db.selectFrom('clients').select('id').where('external_id', '=', q).execute()).map((r) => r.id), 'external id');
    } else {
      add((await db.selectFrom('clients').select('id').where('external_id', '=', q).execute()).map((r) => r.id), 'external id');
      const lower = q.toLowerCase();
      // A whole e-mail address identifies a client as an id does (support finds a caller by it).
      if (q.includes('@')) add((await db.selectFrom('clients').select('id').where(sql<string>`lower(email)`, '=', lower).where('legal_entity', 'in', readable).limit(limit).execute()).map((r) => r.id), 'e-mail');
      if (personal.length) {
        const pattern = `%${lower.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        const byName = await db
          .selectFrom('clients')
          .select('id')
          .where(sql<boolean>`lower(display_name) like ${pattern} escape '\\'`)
          .where('legal_entity', 'in', personal)
          .orderBy('display_name')
          .limit(limit)
          .execute();
        add(byName.map((r) => r.id), 'name');
      }
    }
    if (found.size === 0) return { items: [] };
    const rows = await db
      .selectFrom('clients')
      .select(['id', 'display_name', 'email', 'status', 'legal_entity', 'type', 'screening_status', 'risk_level'])
      .where('id', 'in', [...found.keys()])
      .where('legal_entity', 'in', readable)
      .execute();
    const order = [...found.keys()];
    return {
      items: rows
        .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
        .slice(0, limit)
        .map((r) => ({
          clientId: r.id,
          name: r.display_name,
          email: r.email,
          type: r.type,
          status: r.status,
          legalEntity: r.legal_entity,
          riskLevel: r.risk_level,
          flags: flagsOf({ clientStatus: r.status, screeningStatus: r.screening_status, riskLevel: r.risk_level }),
          matchedBy: found.get(r.id)!,
        })),
    };
  }
}
