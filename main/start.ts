// `npm start [-- --headless]`: the demo. Builds the renderer when its sources changed, runs the
// seeded demo server as its own process, and opens the desktop app; with --headless (or where
// Electron's binary is missing, said in one line) it serves the same renderer through the
// headless host and prints the URL to open in a browser.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FileKeyWrapper } from './cache/keys.js';
import { buildRendererIfStale } from './build-renderer.js';
import { startHeadlessHost } from './headless/server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { headless: { type: 'boolean' }, 'data-dir': { type: 'string' }, port: { type: 'string' } } });
const dataDir = path.resolve(values['data-dir'] ?? path.join(ROOT, 'data/demo'));

/** The Electron executable, when its binary was downloaded; null otherwise. */
function electronBinaryPresent(): string | null {
  const dir = path.join(ROOT, 'node_modules/electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!fs.existsSync(pathFile)) return null;
  const binary = path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(binary) ? binary : null;
}

function startDemoServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/cli/demo-server.ts'), '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PORT: values.port ?? process.env.PORT ?? '4000' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      process.stdout.write(text);
      out += text;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code, signal) => reject(new Error(`the demo server stopped before it was ready (${signal ?? `exit code ${code}`}); its own message, if any, is above.`)));
  });
}

const rendererDir = await buildRendererIfStale();
const server = await startDemoServer().catch((error: unknown) => {
  console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
if (!values.headless) {
  const binary = electronBinaryPresent();
  if (binary) {
    const { buildDesktop } = await import('../build/electron-build.mjs');
    await buildDesktop({ renderer: false });
    const electronApp = spawn(binary, [path.join(ROOT, 'out/main/main.cjs')], { stdio: 'inherit', env: { ...process.env, FXBO_SERVER_URL: server.url, FXBO_RENDERER_DIR: rendererDir } });
    electronApp.on('exit', () => {
      server.stop();
      process.exit(0);
    });
    await new Promise(() => undefined);
  }
  console.log("Electron's binary is not installed here (it downloads from outside the npm registry); starting headless.");
}
const desktopDir = path.join(dataDir, 'desktop');
const host = await startHeadlessHost({ serverUrl: server.url, rendererDir, cacheDir: path.join(desktopDir, 'cache'), wrapper: new FileKeyWrapper(path.join(desktopDir, 'keys')) });
console.log(`Desktop UI (headless): open ${host.openUrl}`);
const stop = () => {
  void host.close().finally(() => {
    server.stop();
    process.exit(0);
  });
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
