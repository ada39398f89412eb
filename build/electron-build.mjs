// Bundles the desktop app for Electron: the main process, the cache worker and the sandboxed
// preload as CommonJS (a sandboxed preload may require nothing but 'electron'), then the renderer
// with Vite. Output in out/, which electron-builder packages into the ASAR.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: false, logLevel: 'warning', absWorkingDir: root };
// Native modules and Electron itself load at run time from the package's node_modules.
const external = ['electron', 'better-sqlite3-multiple-ciphers', 'better-sqlite3'];

export async function buildDesktop({ renderer = true } = {}) {
  await build({ ...common, entryPoints: ['main/electron/main.ts'], outfile: 'out/main/main.cjs', external });
  await build({ ...common, entryPoints: ['main/cache/worker.ts'], outfile: 'out/main/cache-worker.cjs', external });
  await build({ ...common, entryPoints: ['preload/index.ts'], outfile: 'out/preload/preload.cjs', external: ['electron'], platform: 'browser' });
  if (renderer) {
    const { build: viteBuild } = await import('vite');
    await viteBuild({ configFile: path.join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildDesktop();
  console.log('Desktop bundles written to out/ (main, cache worker, preload, renderer).');
}
