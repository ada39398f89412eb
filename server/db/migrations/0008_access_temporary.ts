// Temporary access. A role grant may carry an end date (`ends_at`), after which it lapses by itself,
// and the person it covers for (`cover_for`); a lapse is recorded in `lapsed_at`. A password reset
// leaves the user without a usable password until the maker of the reset collects a temporary one
// (`password_handover_approval` names the reset waiting for it); that password works only until
// `password_expires_at` and only for the forced change.

import type { Kysely } from 'kysely';

export function accessTemporary() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('role_grants').addColumn('ends_at', 'text').execute();
      await db.schema.alterTable('role_grants').addColumn('cover_for', 'text').execute();
      await db.schema.alterTable('role_grants').addColumn('lapsed_at', 'text').execute();
      await db.schema.createIndex('role_grants_ends').on('role_grants').columns(['ends_at']).execute();
      await db.schema.alterTable('users').addColumn('password_expires_at', 'text').execute();
      await db.schema.alterTable('users').addColumn('password_handover_approval', 'text').execute();
    },
  };
}
