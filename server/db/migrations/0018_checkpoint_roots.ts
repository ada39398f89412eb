// Checkpoint format 2 (decision 0027): each signed checkpoint also names the first event of its
// segment and the Merkle root over the segment's event hashes, so that an evidence pack proves one
// event with a few sibling hashes. Checkpoints signed before this migration keep both columns null
// (format 1) and stay valid; a pack proves their segments by an attestation signed at export.

import type { Kysely } from 'kysely';
import type { Engine } from '../connect.js';

export function checkpointRoots(engine: Engine) {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('audit_checkpoints').addColumn('first_seq', bigint).execute();
      await db.schema.alterTable('audit_checkpoints').addColumn('root', 'text').execute();
    },
  };
}
