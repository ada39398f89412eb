// `npm run evidence:export -- (--client CL-… | --staff USERNAME | --operation INT-…|MOP-…) --data-dir DIR
// [--database-url URL] --out pack.zip`: builds the evidence pack of one client, staff member or MT5
// operation, the same pack the desktop exports (modules/evidence/pack.ts), and writes it to --out.
// Whoever runs it holds the server's data folder and database, so it reads as the auditor in every
// legal entity, personal data included; the export is audited under the command's own name (with
// the operating-system user), with the manifest's hash. Exit 0 and the pack's SHA-256; 1 when the
// pack cannot be built (named); 2 on bad usage.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from '../app.js';
import { permissionsOf, type Role } from '../../shared/access/permissions.js';
import type { AuthContext } from '../core/auth.js';
import { parseFlags, storageConfig } from './args.js';

const USAGE = 'npm run evidence:export -- (--client CL-… | --staff USERNAME | --operation INT-…|MOP-…) --data-dir DIR [--database-url URL] --out pack.zip';
const { values, positionals } = parseFlags(
  { client: { type: 'string' }, staff: { type: 'string' }, operation: { type: 'string' }, 'data-dir': { type: 'string' }, 'database-url': { type: 'string' }, out: { type: 'string' } },
  USAGE,
);
function usage(message: string): never {
  console.error(`${message}\n\nUsage: ${USAGE}`);
  process.exit(2);
}
const chosen = (['client', 'staff', 'operation'] as const).filter((k) => values[k] !== undefined);
if (chosen.length !== 1) usage(chosen.length === 0 ? 'Name the subject: --client CL-…, --staff USERNAME or --operation INT-…' : `Name one subject, not ${chosen.map((k) => `--${k}`).join(' and ')}.`);
if (positionals.length) usage(`Unexpected argument "${positionals[0]}".`);
if (!values.out) usage('--out: the file to write the pack to (pack.zip).');
if (!values['data-dir'] && !values['database-url']) usage('Say where the server keeps its data: --data-dir DIR (and --database-url URL for PostgreSQL).');
const out = path.resolve(values.out);
if (!fs.existsSync(path.dirname(out))) usage(`--out ${values.out}: the folder ${path.dirname(out)} does not exist.`);
const subject = values.client ? { clientId: values.client.trim().toUpperCase() } : values.staff ? { userId: values.staff.trim() } : { caseRef: values.operation!.trim().toUpperCase() };

const server = await createServer(storageConfig(values));
try {
  const entities = (await server.services.store.kysely.selectFrom('legal_entities').select('id').execute()).map((e) => e.id).sort();
  const role: Role = 'auditor';
  const rolesByEntity = new Map(entities.map((e) => [e, [role]]));
  const name = `npm run evidence:export (${os.userInfo().username}@${os.hostname()})`;
  const auth: AuthContext = {
    user: { id: 'cli:evidence-export', username: 'evidence:export', displayName: name, mustChangePassword: false },
    sessionId: 'cli',
    grants: entities.map((legalEntity) => ({ role, legalEntity })),
    roles: [role],
    legalEntities: entities,
    permissions: permissionsOf([role]),
    scope: (permission) => (permissionsOf([role]).has(permission) ? entities : []),
    rolesByEntity,
    actor: { id: 'cli:evidence-export', name, ip: null, userAgent: 'npm run evidence:export', sessionId: null },
  };
  const pack = await server.services.evidencePacks.export(auth, subject);
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, pack.content, { mode: 0o600 });
  fs.renameSync(tmp, out);
  console.log(`Wrote ${out} (${pack.content.length} bytes): the evidence pack of ${Object.values(subject)[0]}.`);
  console.log(`SHA-256 ${pack.sha256}; manifest SHA-256 ${pack.manifestSha256} (recorded in the audit log as evidence.exported).`);
  console.log(`Check it anywhere with: npm run evidence:verify -- ${values.out} --public-key audit-signing.pub.pem`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await server.close();
}
