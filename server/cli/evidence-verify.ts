// `npm run evidence:verify -- pack.zip [--public-key FILE]... [--json]`: checks an evidence pack
// offline (modules/evidence/verify-pack.ts): the manifest's signature, every file's hash, every
// event's hash and its place under a signed checkpoint, every document against the hash its event
// recorded. Exit 0 when all holds; 1 naming each thing that broke; 2 on bad usage. Without
// --public-key it trusts the keys the pack carries, which proves the pack is whole but not that the
// broker's server made it: pin the broker's public key (DATA_DIR/keys/audit-signing.pub.pem).

import fs from 'node:fs';
import { verifyPack } from '../modules/evidence/verify-pack.js';
import { parseFlags } from './args.js';

const USAGE = 'npm run evidence:verify -- pack.zip [--public-key FILE]... [--json]';
const { values, positionals } = parseFlags({ 'public-key': { type: 'string', multiple: true }, json: { type: 'boolean' } }, USAGE);
function usage(message: string): never {
  console.error(`${message}\n\nUsage: ${USAGE}`);
  process.exit(2);
}
if (positionals.length !== 1) usage(positionals.length === 0 ? 'Name the pack to check.' : `Name one pack, not ${positionals.length}.`);
const file = positionals[0]!;
if (!fs.existsSync(file)) usage(`${file}: no such file.`);
const keys: string[] = [];
for (const k of values['public-key'] ?? []) {
  if (!fs.existsSync(k)) usage(`--public-key ${k}: no such file.`);
  keys.push(fs.readFileSync(k, 'utf8'));
}

const verdict = verifyPack(fs.readFileSync(file), keys);
if (values.json) {
  console.log(JSON.stringify(verdict));
} else {
  if (verdict.trust === 'pack' && verdict.subject !== null) console.error(`Warning: no --public-key given, so the keys carried in the pack (${verdict.keyIds.join(', ') || 'none'}) are trusted: this proves the pack is whole, not that the broker's server made it.`);
  if (verdict.ok) {
    const documents = verdict.documents ? `, ${verdict.documents} document(s) match their recorded hashes` : '';
    console.log(`Evidence pack intact: ${verdict.subject}; ${verdict.events} events proven under ${verdict.checkpoints} signed checkpoint(s)${documents}; signatures checked with key(s) ${verdict.keyIds.join(', ')}.`);
  } else {
    console.log(`EVIDENCE PACK BROKEN${verdict.subject ? ` (${verdict.subject})` : ''}: ${verdict.problems.length} problem(s):`);
    for (const p of verdict.problems) console.log(`- ${p}`);
  }
}
process.exitCode = verdict.ok ? 0 : 1;
