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

function electronBinaryPresent(): boolean {
  const dir = path.join(ROOT, 'node_modules/electron');
  const pathFile = path.join(dir, 'path.txt');
  return fs.existsSync(pathFile) && fs.existsSync(path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim()));
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
    child.on('exit', (code) => reject(new Error(`the demo server exited (${code})`)));
  });
}

const rendererDir = await buildRendererIfStale();
const server = await startDemoServer();
if (!values.headless) {
  console.log(
    electronBinaryPresent()
      ? 'The Electron window is not wired in this build yet; serving the UI headless instead.'
      : "Electron's binary is not installed here (it downloads from outside the npm registry); starting headless.",
  );
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
