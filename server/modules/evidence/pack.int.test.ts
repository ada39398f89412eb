// Evidence packs (issue 18) on both engines: an auditor exports a client's pack over HTTP and it
// verifies offline against the pinned key; the export is audited with the manifest's hash; one
// changed byte, one dropped event, two swapped documents and a re-signed manifest are each named by
// the verifier; segments signed before format 2 are proven by an attestation; a reader who may not
// see the client's personal data gets a pack without it that still verifies; and the commands
// `evidence:export` and `evidence:verify` do the same from a shell.

import fs from 'node:fs';
import path from 'node:path';
import { generateKeyPairSync, sign } from 'node:crypto';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, expectReason, startTestServer, tempDir, type TestServer } from '../../testing/harness.js';
import { aKycApprovedClient, aListFile } from '../../testing/builders.js';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { parseListFiles } from '../screening/lists/read.js';
import { runTool } from '../../testing/processes.js';
import { buildAuthContext } from '../../core/auth.js';
import { keyDir, loadSigner, PUBLIC_KEY_FILE } from '../audit/signer.js';
import { verifyPack } from './verify-pack.js';

function repack(zip: Buffer, change: (files: Record<string, Uint8Array>) => void): Buffer {
  const files = unzipSync(zip);
  change(files);
  return Buffer.from(zipSync(files));
}

describeEachEngine('evidence packs', (engine) => {
  let t: TestServer;
  let publicKey: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { env: { JOBS_POLL_MS: '600000' } });
    // One small list, so that clients are screened (KYC approval waits for screening).
    await t.server.services.screening.importList(SYSTEM_ACTOR, await parseListFiles([aListFile()]));
    publicKey = fs.readFileSync(path.join(keyDir(t.storage.dataDir), PUBLIC_KEY_FILE), 'utf8');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('exports a client\u2019s pack that verifies offline, audited with its manifest hash; a changed byte, a dropped event and swapped documents are each named', async () => {
    const { clientId } = await aKycApprovedClient(t, { legalEntity: 'eu' });
    const auditor = await t.login('auditor');
    const view = await auditor.client.evidence.client.query({ clientId });
    const answer = await auditor.client.evidence.export.mutate({ subject: { clientId } });
    const zip = Buffer.from(answer.contentBase64, 'base64');
    expect(answer.fileName).toMatch(new RegExp(`^evidence-client-${clientId}-\\d{8}T\\d{6}Z\\.zip$`));

    const verdict = verifyPack(zip, [publicKey]);
    expect(verdict.problems).toEqual([]);
    expect(verdict).toMatchObject({ ok: true, subject: `client ${clientId}`, events: view.events.length, documents: 2, trust: 'given' });
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(expect.arrayContaining(['manifest.json', 'manifest.sig', 'events.jsonl', 'proofs.json', 'checkpoints.json', 'view.json', 'report.pdf']));
    expect(strFromU8(files['report.pdf']!.subarray(0, 5))).toBe('%PDF-');
    const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as { personalData: string; events: { seqs: number[] }; documents: Array<{ path: string | null; sha256: string }> };
    expect(manifest.personalData).toBe('included');
    expect(manifest.events.seqs).toEqual(view.events.map((e) => e.seq));
    expect(manifest.documents.map((d) => d.sha256).sort()).toEqual(view.documents.map((d) => d.sha256).sort());

    // The export itself is an audited event carrying the manifest's hash.
    const exported = await t.server.services.store.kysely.selectFrom('audit_events').selectAll().where('action', '=', 'evidence.exported').where('target_id', '=', clientId).executeTakeFirstOrThrow();
    expect(exported.actor_name).toBe('auditor');
    expect(JSON.parse(exported.after_json!)).toMatchObject({ manifestSha256: answer.manifestSha256, packSha256: answer.sha256, events: view.events.length, documents: 2 });

    // One changed byte in the report.
    const byte = repack(zip, (f) => {
      const pdf = Buffer.from(f['report.pdf']!);
      pdf[pdf.length - 20] = pdf[pdf.length - 20]! ^ 0x01;
      f['report.pdf'] = pdf;
    });
    expect(verifyPack(byte, [publicKey]).problems).toEqual(['report.pdf: its SHA-256 is not the one in the manifest: the file was changed or replaced']);

    // One dropped event.
    const dropped = view.events[2]!.seq;
    const drop = repack(zip, (f) => {
      f['events.jsonl'] = strToU8(strFromU8(f['events.jsonl']!).split('\n').filter((l) => !l.startsWith(`{"seq":${dropped},`)).join('\n'));
    });
    const dropVerdict = verifyPack(drop, [publicKey]);
    expect(dropVerdict.ok).toBe(false);
    expect(dropVerdict.problems).toContain(`event ${dropped}: listed in the manifest but missing from events.jsonl: the event was dropped`);

    // The two documents swapped.
    const [a, b] = manifest.documents.map((d) => d.path!);
    const swap = repack(zip, (f) => {
      [f[a!], f[b!]] = [f[b!]!, f[a!]!];
    });
    const swapProblems = verifyPack(swap, [publicKey]).problems;
    expect(swapProblems.filter((p) => p.includes('the document was swapped'))).toHaveLength(2);

    // A manifest rewritten to match and signed with another key.
    const other = generateKeyPairSync('ed25519');
    const forged = repack(drop, (f) => {
      const m = JSON.parse(strFromU8(f['manifest.json']!)) as { events: { seqs: number[]; count: number }; files: Array<{ path: string; sha256: string; size: number }> };
      m.events.seqs = m.events.seqs.filter((s) => s !== dropped);
      f['manifest.json'] = strToU8(JSON.stringify(m));
      f['manifest.sig'] = strToU8(JSON.stringify({ keyId: 'forger', signature: sign(null, Buffer.from(f['manifest.json']!), other.privateKey).toString('base64') }));
    });
    expect(verifyPack(forged, [publicKey]).problems).toContain('manifest.sig: signed with key forger, which is not a trusted key (' + verdict.keyIds.join(', ') + ')');

    // An event whose content was altered (its line rewritten, the manifest re-hashed): the event's own hash names it.
    const altered = view.events[0]!.seq;
    const edit = repack(zip, (f) => {
      f['events.jsonl'] = strToU8(strFromU8(f['events.jsonl']!).replace(`"seq":${altered},"at":"`, `"seq":${altered},"at":"1`));
    });
    expect(verifyPack(edit, [publicKey]).problems).toContain(`event ${altered}: its content does not match its hash: the event was altered`);
  });

  it('proves events under checkpoints signed before format 2 by an attestation the exporter signs', async () => {
    const { clientId } = await aKycApprovedClient(t, { legalEntity: 'global' });
    const db = t.server.services.store.kysely;
    // A checkpoint as a server before migration 0018 signed it: the head alone.
    const head = await db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    const { signer } = loadSigner({ dataDir: t.storage.dataDir });
    await db.insertInto('audit_checkpoints').values(signer.sign(head.seq, head.hash, t.server.services.store.now())).execute();
    const auditor = await t.login('auditor');
    const zip = Buffer.from((await auditor.client.evidence.export.mutate({ subject: { clientId } })).contentBase64, 'base64');
    const checkpoints = JSON.parse(strFromU8(unzipSync(zip)['checkpoints.json']!)) as Array<{ seq: number; root: string | null; attestation: unknown }>;
    expect(checkpoints.find((c) => c.seq === head.seq)).toMatchObject({ root: null, attestation: { keyId: signer.keyId } });
    expect(verifyPack(zip, [publicKey]).problems).toEqual([]);
  });

  it('leaves out what the exporter may not see: masked events proven by their hash, no documents, no name', async () => {
    const { clientId, input } = await aKycApprovedClient(t, { legalEntity: 'eu' });
    const db = t.server.services.store.kysely;
    const user = await db.selectFrom('users').selectAll().where('username', '=', 'auditor').executeTakeFirstOrThrow();
    // The auditor's grants, without clients.pii (no such role ships: the pack must still hold for one).
    const base = buildAuthContext(user, 'test-session', [{ role: 'auditor', legalEntity: 'eu' }], { ip: '127.0.0.1', userAgent: 'test' });
    const auth = { ...base, scope: (p: Parameters<typeof base.scope>[0]) => (p === 'clients.pii' ? [] : base.scope(p)) };
    const pack = await t.server.services.evidencePacks.export(auth, { clientId });
    const files = unzipSync(pack.content);
    const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as { personalData: string; events: { masked: number[] }; documents: Array<{ path: string | null }> };
    expect(manifest.personalData).toBe('masked');
    expect(manifest.events.masked.length).toBeGreaterThan(0);
    expect(manifest.documents.every((d) => d.path === null)).toBe(true);
    expect(Object.keys(files).some((n) => n.startsWith('documents/'))).toBe(false);
    const text = ['events.jsonl', 'view.json', 'manifest.json'].map((n) => strFromU8(files[n]!)).join('\n');
    expect(text).not.toContain(input.lastName);
    expect(text).not.toContain(input.email);
    expect(verifyPack(pack.content, [publicKey]).problems).toEqual([]);
  });

  it('exports a staff member\u2019s pack; refuses a subject out of scope or without access.read; the commands export and verify from a shell', async () => {
    const auditor = await t.login('auditor');
    const staffPack = await auditor.client.evidence.export.mutate({ subject: { userId: 'risk' } });
    expect(verifyPack(Buffer.from(staffPack.contentBase64, 'base64'), [publicKey])).toMatchObject({ ok: true, subject: 'staff risk' });
    const { clientId } = await aKycApprovedClient(t, { legalEntity: 'eu' });
    await expectReason((await t.login('compliance.global')).client.evidence.export.mutate({ subject: { clientId } }), 'OUT_OF_ENTITY_SCOPE');
    await expectReason((await t.login('compliance')).client.evidence.export.mutate({ subject: { userId: 'risk' } }), 'FORBIDDEN_PERMISSION');
    await expectReason((await t.login('dealer')).client.evidence.export.mutate({ subject: { clientId } }), 'FORBIDDEN_PERMISSION');

    const dir = tempDir('fxbo-pack-');
    const out = path.join(dir, 'pack.zip');
    const where = ['--data-dir', t.storage.dataDir, ...(t.storage.databaseUrl ? ['--database-url', t.storage.databaseUrl] : [])];
    const made = runTool('server/cli/evidence-export.ts', ['--client', clientId, ...where, '--out', out]);
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    expect(made.stdout).toContain(`the evidence pack of ${clientId}`);
    const keyFile = path.join(dir, 'pinned.pem');
    fs.writeFileSync(keyFile, publicKey);
    const good = runTool('server/cli/evidence-verify.ts', [out, '--public-key', keyFile]);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(new RegExp(`^Evidence pack intact: client ${clientId}; \\d+ events proven`));

    fs.writeFileSync(out, repack(fs.readFileSync(out), (f) => {
      f['view.json'] = strToU8(strFromU8(f['view.json']!).replace('"eu"', '"global"'));
    }));
    const bad = runTool('server/cli/evidence-verify.ts', [out, '--public-key', keyFile]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('- view.json: its SHA-256 is not the one in the manifest');
    const usage = runTool('server/cli/evidence-export.ts', ['--client', clientId, '--staff', 'risk', ...where, '--out', out]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('Name one subject, not --client and --staff.');
    const notZip = runTool('server/cli/evidence-verify.ts', [keyFile]);
    expect(notZip.status).toBe(1);
    expect(notZip.stdout).toContain('not a ZIP archive');
  });
});
