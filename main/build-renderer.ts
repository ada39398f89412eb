// Builds the renderer (Vite) when it is missing or older than its sources: `npm start` and the
// browser end-to-end tests call this, so neither ever serves a stale UI.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

export async function buildRendererIfStale(): Promise<string> {
  const out = path.join(ROOT, 'out/renderer');
  const index = path.join(out, 'index.html');
  const sources = Math.max(newestMtime(path.join(ROOT, 'renderer')), newestMtime(path.join(ROOT, 'shared')));
  if (!fs.existsSync(index) || fs.statSync(index).mtimeMs < sources) {
    console.log('Building the desktop UI…');
    const { build } = await import('vite');
    // React's production build, also when a test runner (NODE_ENV=test) builds it: the end-to-end
    // tests use what users get, not React's development mode with its doubled effects.
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ configFile: path.join(ROOT, 'renderer/vite.config.ts'), logLevel: 'warn' });
    } finally {
      if (env === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = env;
    }
  }
  return out;
}

