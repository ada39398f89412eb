// The audit log against an insider, on both engines: each test plays an attack and expects it
// refused or detected. A database administrator can INSERT (the triggers refuse only UPDATE,
// DELETE and TRUNCATE) and can drop the triggers; someone with the data folder also has the keys
// kept there. What stays out of their reach: the MAC key when it is not in the folder, the public
// key pinned elsewhere, and checkpoint copies kept elsewhere. See docs/decisions/0018.

import { generateKeyPairSync, sign as edSign, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { startServer } from '../../app.js';
import type { AuditEventRow } from '../../db/schema.js';
import { describeEachEngine, expectReason, startTestServer, tempDir, testConfig, type TestServer } from '../../testing/harness.js';
import { runTool } from '../../testing/processes.js';
import { eventHash } from './canonical.js';
import { macKeyFile, parseMacKey } from './mac.js';
import { checkpointMessage, currentKeyFile, keyDir, keyIdOf, PUBLIC_KEY_FILE, ROTATION_ACTION } from './signer.js';
import { checkpointMirrorFile } from './log.js';

async function dropAppendOnly(t: TestServer): Promise<void> {
  const db = t.server.services.store.kysely;
  if (t.engine === 'postgres') {
    await sql`drop trigger audit_events_append_only on audit_events`.execute(db);
    await sql`drop trigger audit_checkpoints_append_only on audit_checkpoints`.execute(db);
  } else {
    for (const name of ['audit_events_no_update', 'audit_events_no_delete', 'audit_checkpoints_no_update', 'audit_checkpoints_no_delete']) await sql.raw(`drop trigger if exists ${name}`).execute(db);
  }
}

async function head(t: TestServer): Promise<AuditEventRow> {
  return t.server.services.store.kysely.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
}

/** A fake MLRO approval, appended with SQL and a correct plain hash, as a DBA could. */
async function forgeApproval(t: TestServer, mac: string | null): Promise<number> {
  const last = await head(t);
  const fields = {
    seq: last.seq + 1,
    at: new Date(Date.parse(last.at) + 1000).toISOString(),
    actor_id: await t.userId('mlro'),
    actor_name: 'mlro',
    ip: '10.0.0.9',
    user_agent: 'Mozilla/5.0',
    session_id: null,
    action: 'approval.approved',
    target_type: 'approval',
    target_id: 'APR-999999',
    client_id: null,
    legal_entity: 'eu',
    before_json: null,
    after_json: '{"status":"approved"}',
    reason: 'Checked: fine',
    approvers_json: null,
    case_ref: null,
    policy_ref: null,
    prev_hash: last.hash,
  };
  await t.server.services.store.kysely.insertInto('audit_events').values({ ...fields, hash: eventHash(fields), mac, mac_key_id: mac === null ? null : t.server.services.auditLog.macKeyId }).execute();
  return fields.seq;
}

function verifyArgs(t: TestServer, extra: string[] = []): string[] {
  return ['--data-dir', t.storage.dataDir, ...(t.storage.databaseUrl ? ['--database-url', t.storage.databaseUrl] : []), ...extra];
}

describeEachEngine('audit log against an insider', (engine) => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('detects an event inserted with SQL and a correct plain hash, never signs past it, and alerts the MLRO', async () => {
    t = await startTestServer(engine);
    await t.server.services.auditLog.checkpointNow(t.clock.now().toISOString());
    const forged = await forgeApproval(t, null);
    // The chain alone would call this intact: the hash links and matches.
    const verdict = await t.server.services.audit.verify();
    expect(verdict).toMatchObject({ ok: false, firstBrokenSeq: forged });
    expect(verdict.problem).toContain('has no MAC');
    const cli = runTool('server/cli/audit-verify.ts', verifyArgs(t));
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain(`AUDIT LOG BROKEN at sequence ${forged}`);

    // The signer checks the segment first: no checkpoint covers the forged event, and the MLRO of each entity is alerted.
    const before = await t.server.services.store.kysely.selectFrom('audit_checkpoints').select('seq').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(await t.server.services.auditLog.checkpointNow(t.clock.now().toISOString())).toBeNull();
    await expect.poll(() => t!.server.services.store.kysely.selectFrom('alerts').select(['legal_entity', 'severity', 'for_role']).where('kind', '=', 'audit_chain_broken').where('source_ref', '=', `audit:${forged}`).orderBy('legal_entity').execute()).toEqual([
      { legal_entity: 'eu', severity: 'critical', for_role: 'mlro' },
      { legal_entity: 'global', severity: 'critical', for_role: 'mlro' },
    ]);
    // Later writes go on, still unsigned; a second attempt raises no second alert.
    await t.server.services.auditLog.checkpointNow(t.clock.now().toISOString());
    expect((await t.server.services.store.kysely.selectFrom('audit_checkpoints').select('seq').orderBy('seq', 'desc').executeTakeFirstOrThrow()).seq).toBe(before.seq);
    expect(await t.server.services.store.kysely.selectFrom('alerts').select('id').where('kind', '=', 'audit_chain_broken').execute()).toHaveLength(2);
  });

  it('detects an event inserted with a made-up MAC', async () => {
    t = await startTestServer(engine);
    const forged = await forgeApproval(t, 'ab'.repeat(32));
    expect(await t.server.services.audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: forged, problem: expect.stringContaining('MAC that does not match') });
  });

  it('fails a log whose checkpoints were all deleted, unless a copy kept elsewhere is given', async () => {
    t = await startTestServer(engine);
    await t.server.services.auditLog.checkpointNow(t.clock.now().toISOString());
    const elsewhere = tempDir('fxbo-checkpoint-copy-');
    fs.copyFileSync(checkpointMirrorFile(t.storage.dataDir), path.join(elsewhere, 'server-a.jsonl'));
    await dropAppendOnly(t);
    await t.server.services.store.kysely.deleteFrom('audit_checkpoints').execute();
    const pinned = ['--public-key', path.join(keyDir(t.storage.dataDir), PUBLIC_KEY_FILE), '--mac-key', macKeyFile(t.storage.dataDir)];
    const where = t.storage.databaseUrl ? ['--database-url', t.storage.databaseUrl] : ['--data-dir', t.storage.dataDir];
    if (t.storage.databaseUrl) {
      // On PostgreSQL the database holds no copy the DBA cannot delete: without one, nothing vouches for the log.
      const bare = runTool('server/cli/audit-verify.ts', [...where, ...pinned]);
      expect(bare.status).toBe(1);
      expect(bare.stdout).toMatch(/holds \d+ events but no signed checkpoint/);
    }
    const withCopy = runTool('server/cli/audit-verify.ts', [...where, ...pinned, '--checkpoints', elsewhere]);
    expect(withCopy.stderr).toBe('');
    expect(withCopy.stdout).toMatch(/Audit log intact/);
  });

  it('fails a log whose events run on past the interval with no newer checkpoint, but not a restart after a pause', async () => {
    t = await startTestServer(engine);
    await t.server.services.auditLog.checkpointNow(t.clock.now().toISOString());
    // A day without the server, then a start: events a day after the checkpoint are fine.
    t.clock.advance(24 * 3_600_000);
    const admin = await t.login('admin');
    expect(await t.server.services.audit.verify()).toMatchObject({ ok: true });
    // But events that go on for ten minutes with no checkpoint mean one was deleted, or the signer stopped.
    t.clock.advance(10 * 60_000);
    await admin.client.access.resetMfa.mutate({ userId: await t.userId('support'), reason: 'stale checkpoint test' });
    const verdict = await t.server.services.audit.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problem).toMatch(/written over \d+ s after the newest signed checkpoint .* a checkpoint is missing/);
    await t.server.services.auditLog.checkpointNow(t.clock.now().toISOString());
    expect(await t.server.services.audit.verify()).toMatchObject({ ok: true });
  });

  it('rotates the signing key only through two approvals; the old key signs the rotation, and a verifier holding only the first key follows it', async () => {
    t = await startTestServer(engine);
    const pinned = path.join(tempDir('fxbo-pinned-'), 'audit.pub.pem');
    fs.copyFileSync(path.join(keyDir(t.storage.dataDir), PUBLIC_KEY_FILE), pinned);
    const oldKey = t.server.services.auditLog.keyId;
    const oldPrivate = fs.readFileSync(currentKeyFile(t.storage.dataDir), 'utf8');
    const admin = await t.login('admin');
    await expectReason(admin.client.audit.rotateSigningKey.mutate({ reason: 'Annual rotation', publicKey: 'not a key' }), 'VALIDATION_FAILED');
    await expectReason((await t.login('compliance')).client.audit.rotateSigningKey.mutate({ reason: 'Annual rotation' }), 'FORBIDDEN_PERMISSION');
    const { approvalId } = await admin.client.audit.rotateSigningKey.mutate({ reason: 'Annual rotation of the checkpoint key' });
    await expectReason(admin.client.audit.rotateSigningKey.mutate({ reason: 'again' }), 'ALREADY_EXISTS');
    expect((await (await t.login('admin2')).client.approvals.approve.mutate({ id: approvalId })).status).toBe('pending');
    expect(t.server.services.auditLog.keyId).toBe(oldKey);
    expect((await (await t.login('mlro')).client.approvals.approve.mutate({ id: approvalId })).status).toBe('executed');

    const newKey = t.server.services.auditLog.keyId;
    expect(newKey).not.toBe(oldKey);
    const db = t.server.services.store.kysely;
    const rotation = await db.selectFrom('audit_events').selectAll().where('action', '=', ROTATION_ACTION).executeTakeFirstOrThrow();
    expect(JSON.parse(rotation.after_json!)).toMatchObject({ fromKeyId: oldKey, toKeyId: newKey, keptIn: 'data folder' });
    expect(JSON.parse(rotation.approvers_json!)).toHaveLength(2);
    expect(rotation.case_ref).toBe(approvalId);
    // The old key signed the head holding the rotation; the old private key is gone from the folder.
    const covering = await db.selectFrom('audit_checkpoints').selectAll().where('seq', '>=', rotation.seq).orderBy('seq').executeTakeFirstOrThrow();
    expect(covering.key_id).toBe(oldKey);
    expect(fs.readFileSync(currentKeyFile(t.storage.dataDir), 'utf8')).not.toBe(oldPrivate);
    // Later checkpoints carry the new key, and a verifier holding only the first key accepts them.
    await admin.client.access.resetMfa.mutate({ userId: await t.userId('support'), reason: 'after the rotation' });
    expect((await t.server.services.auditLog.checkpointNow(t.clock.now().toISOString()))?.key_id).toBe(newKey);
    expect(await t.server.services.audit.verify()).toMatchObject({ ok: true });
    const run = runTool('server/cli/audit-verify.ts', verifyArgs(t, ['--public-key', pinned]));
    expect(run.stdout).toMatch(/Audit log intact/);
    expect(run.status).toBe(0);
    expect((await (await t.login('auditor')).client.audit.signingKey.query()).rotations.map((r) => r.toKeyId)).toEqual([newKey]);

    // A restart on the folder signs with the new key: reached from the pinned one by an approved rotation.
    await t.server.close();
    const again = await startServer(testConfig(t.storage));
    expect(again.services.auditLog.keyId).toBe(newKey);
    await again.close();
  });

  it('takes an operator-kept key into use when the server restarts with it after an approved rotation', async () => {
    t = await startTestServer(engine);
    const oldKey = t.server.services.auditLog.keyId;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const admin = await t.login('admin');
    const { approvalId } = await admin.client.audit.rotateSigningKey.mutate({ reason: 'Key moved to the HSM host', publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    await (await t.login('admin2')).client.approvals.approve.mutate({ id: approvalId });
    await (await t.login('mlro')).client.approvals.approve.mutate({ id: approvalId });
    // Until the restart the old key signs, the rotation included.
    expect(t.server.services.auditLog.keyId).toBe(oldKey);
    await t.server.close();
    const again = await startServer(testConfig(t.storage, { AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }));
    expect(again.services.auditLog.keyId).toBe(keyIdOf(publicKey));
    await expect(again.services.auditKeys.requestRotation({ id: 'system', name: 'system', ip: null, userAgent: null, sessionId: null }, { reason: 'no key given' })).rejects.toThrow(/AUDIT_SIGNING_KEY/);
    await again.services.auditLog.checkpointNow(new Date(Date.now() + 3_600_000).toISOString());
    expect(await again.services.audit.verify()).toMatchObject({ ok: true });
    await again.close();
  });

  it('refuses a signing key that only a rotation written with SQL names', async () => {
    t = await startTestServer(engine);
    const last = await head(t);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const fields = {
      seq: last.seq + 1, at: new Date(Date.parse(last.at) + 1000).toISOString(), actor_id: 'system', actor_name: 'system', ip: null, user_agent: null, session_id: null,
      action: ROTATION_ACTION, target_type: 'audit_key', target_id: keyIdOf(publicKey), client_id: null, legal_entity: null, before_json: null,
      after_json: JSON.stringify({ fromKeyId: t.server.services.auditLog.keyId, toKeyId: keyIdOf(publicKey), publicKey: publicKey.export({ type: 'spki', format: 'pem' }) }),
      reason: 'rotation', approvers_json: null, case_ref: null, policy_ref: null, prev_hash: last.hash,
    };
    await t.server.services.store.kysely.insertInto('audit_events').values({ ...fields, hash: eventHash(fields), mac: null, mac_key_id: null }).execute();
    await t.server.close();
    await expect(startServer(testConfig(t.storage, { AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }))).rejects.toThrow(/nor one an approved rotation took into use/);
  });

  if (engine === 'sqlite') {
    it('keeps the pinned public key: a server with another signing key refuses to start, and a verifier with the pinned key catches a chain re-signed by a stolen folder', async () => {
      t = await startTestServer(engine);
      await t.server.services.auditLog.checkpointNow(t.clock.now().toISOString());
      const pubFile = path.join(keyDir(t.storage.dataDir), PUBLIC_KEY_FILE);
      const pinned = path.join(tempDir('fxbo-pinned-'), 'audit.pub.pem');
      fs.copyFileSync(pubFile, pinned);

      // Another signing key on this data folder: refused, and the pinned file is left as it was.
      const other = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await expect(startServer(testConfig(t.storage, { AUDIT_SIGNING_KEY: other }))).rejects.toThrow(/is not the one pinned in .*audit-signing\.pub\.pem/);
      expect(fs.readFileSync(pubFile, 'utf8')).toBe(fs.readFileSync(pinned, 'utf8'));

      // Someone with the data folder and the database rewrites an event, re-hashes and re-MACs the
      // chain with the folder's MAC key, replaces the folder's key pair and re-signs a checkpoint.
      await dropAppendOnly(t);
      const db = t.server.services.store.kysely;
      const macKey = parseMacKey(fs.readFileSync(macKeyFile(t.storage.dataDir), 'utf8'), 'stolen');
      const rows = await db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
      const victim = rows.find((r) => r.action === 'access.user.created')!;
      let prev = rows[victim.seq - 2]?.hash ?? '0'.repeat(64);
      for (const row of rows.slice(victim.seq - 1)) {
        const fields = { ...row, prev_hash: prev, ...(row.seq === victim.seq ? { actor_name: 'nobody' } : {}) };
        const hash = eventHash(fields);
        await db.updateTable('audit_events').set({ actor_name: fields.actor_name, prev_hash: prev, hash, mac: macKey.mac(row.seq, hash) }).where('seq', '=', row.seq).execute();
        prev = hash;
      }
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      fs.writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
      await db.deleteFrom('audit_checkpoints').execute();
      const last = rows.at(-1)!;
      const at = new Date().toISOString();
      const cp = { seq: last.seq, hash: prev, at, key_id: keyIdOf(publicKey), signature: edSign(null, checkpointMessage(last.seq, prev, at), createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }))).toString('base64') };
      await db.insertInto('audit_checkpoints').values(cp).execute();
      fs.writeFileSync(checkpointMirrorFile(t.storage.dataDir), `${JSON.stringify(cp)}\n`);

      // Trusting the folder's own key, the forgery passes, and the verifier says what it trusted.
      const folderOnly = runTool('server/cli/audit-verify.ts', verifyArgs(t));
      expect(folderOnly.stderr).toContain('Warning: trusting the public key in');
      expect(folderOnly.stdout).toMatch(/Audit log intact/);
      // With the key pinned elsewhere it does not.
      const pinnedRun = runTool('server/cli/audit-verify.ts', verifyArgs(t, ['--public-key', pinned]));
      expect(pinnedRun.status).toBe(1);
      expect(pinnedRun.stdout).toContain(`AUDIT LOG BROKEN at sequence ${last.seq}: the checkpoint at event ${last.seq} has no valid signature from a trusted key`);
      const viaEnv = runTool('server/cli/audit-verify.ts', verifyArgs(t), { AUDIT_TRUSTED_KEYS: pinned });
      expect(viaEnv.status).toBe(1);
      expect(viaEnv.stderr).not.toContain('Warning');
    });
  }
});
