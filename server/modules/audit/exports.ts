// Grid exports as audit events: the desktop says what it is about to hand over (view, rows,
// columns, filters, the file's hash, whether client names are in it) and the server records it
// under the caller, refusing a view the caller may not read or client names without
// clients.exportPii. The desktop hands the file over only after this answered.

import { DomainError } from '../../../shared/errors.js';
import { VIEW_PERMISSIONS, type ExportRecord } from '../../../shared/desktop/exports.js';
import type { AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';

export class ExportsService {
  constructor(private readonly store: Store) {}

  async record(auth: AuthContext, input: ExportRecord): Promise<{ exportId: string; recordedAt: string }> {
    const needs = VIEW_PERMISSIONS[input.view];
    if (!auth.permissions.has(needs)) throw new DomainError('FORBIDDEN_PERMISSION', `Exporting the ${input.view} grid needs ${needs}.`);
    if (input.piiIncluded && !auth.permissions.has('clients.exportPii')) {
      throw new DomainError('FORBIDDEN_PERMISSION', 'An export with client names needs clients.exportPii; export without them (names are masked).');
    }
    return this.store.mutate(auth.actor, async (m) => {
      const exportId = await nextRef(m.trx, 'EXP');
      m.audit({ action: 'export.created', targetType: 'export', targetId: exportId, after: { ...input } });
      return { exportId, recordedAt: m.now };
    });
  }
}
