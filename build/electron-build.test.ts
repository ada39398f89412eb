import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDesktop } from './electron-build.mjs';

const out = path.resolve(import.meta.dirname, '../out');

describe('desktop bundles', () => {
  it('builds the main process, the cache worker and a preload that requires only electron', async () => {
    await buildDesktop({ renderer: false });
    for (const f of ['main/main.cjs', 'main/cache-worker.cjs', 'preload/preload.cjs']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    const preload = fs.readFileSync(path.join(out, 'preload/preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect([...new Set(required)]).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld("fxbo"');
    const main = fs.readFileSync(path.join(out, 'main/main.cjs'), 'utf8');
    for (const setting of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', 'webSecurity: true', 'webviewTag: false', 'setWindowOpenHandler', 'setPermissionRequestHandler']) expect(main).toContain(setting);
  }, 60_000);
});
