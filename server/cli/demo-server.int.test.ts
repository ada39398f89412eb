// The demo as a newcomer runs it: `npm run demo:server` (what `npm start` runs) seeds a fresh data
// folder, stops on Ctrl-C, and starts again on the same folder without touching the cast, printing
// no error; a first seed killed half-way is either finished or named plainly as what to delete.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoCredential } from '../seed/demo.js';
import { totpCode } from '../modules/access/totp.js';
import { clientFor, tempDir } from '../testing/harness.js';
import { exited, ROOT, runTool } from '../testing/processes.js';
import { Mt5Session } from '../platform/session.js';

interface Run {
  child: ChildProcess;
  /** stdout and stderr so far */
  output(): string;
  /** resolves when the output matches, rejects if the process exits first */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
}

function runDemoServer(dataDir: string): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/cli/demo-server.ts'), '--data-dir', dataDir], {
    cwd: ROOT,
    // The demo's own defaults (LOG_LEVEL warn), only the port is free.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !['DATA_DIR', 'DATABASE_URL', 'PORTAL_API_KEY', 'KYC_PROVIDER_URL'].includes(k))), PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return {
    child,
    output: () => out,
    waitFor(pattern, ms = 150_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m) {
            clearInterval(timer);
            child.off('exit', onExit);
            resolve(m);
          }
        };
        const onExit = (code: number | null) => {
          check();
          clearInterval(timer);
          reject(new Error(`the demo server exited (${code}) before printing ${pattern}:\n${out}`));
        };
        const timer = setInterval(check, 50);
        const deadline = setTimeout(() => {
          clearInterval(timer);
          reject(new Error(`no ${pattern} within ${ms} ms:\n${out}`));
        }, ms);
        deadline.unref();
        child.once('exit', onExit);
        check();
      });
    },
  };
}

/** Error-level (pino 50, 60) log lines and uncaught errors in what the process printed. */
function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => /"level":(50|60)\b/.test(line) || /^\s*(Error|\w+Error):/.test(line) || /Unhandled|ERR_/.test(line));
}

async function signIn(url: string, dataDir: string, username: string): Promise<string> {
  const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredential[];
  const c = credentials.find((x) => x.username === username)!;
  const result = await clientFor(url).auth.login.mutate({ username, password: c.password, totp: totpCode(c.totpSecret, new Date()) });
  return result.user.id;
}

describe('npm run demo:server on one data folder, started twice', () => {
  const running: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of running) {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  it('seeds the first time, stops on Ctrl-C, and starts the second time with the cast untouched and no error printed', async () => {
    const dataDir = tempDir('fxbo-demo-restart-');
    const first = runDemoServer(dataDir);
    running.push(first.child);
    const [, url1] = await first.waitFor(/listening on (http:\/\/\S+)/);
    await first.waitFor(/Seeded the demo brokerage/);
    expect(await signIn(url1!, dataDir, 'auditor')).toMatch(/./);
    first.child.kill('SIGINT');
    await exited(first.child);
    expect(first.child.exitCode).toBe(0);
    expect(errorLines(first.output())).toEqual([]);

    const second = runDemoServer(dataDir);
    running.push(second.child);
    const [, url2] = await second.waitFor(/listening on (http:\/\/\S+)/);
    await second.waitFor(/Demo brokerage already seeded/);
    expect(await signIn(url2!, dataDir, 'compliance.eu')).toMatch(/./);
    // The MT5 simulator is where simulators.json says, with the same manager password as on the first run.
    await second.waitFor(/MT5 Web API simulator on/);
    const { mt5 } = JSON.parse(fs.readFileSync(path.join(dataDir, 'simulators.json'), 'utf8')) as { mt5: { url: string; login: number; password: string; certificate: string } };
    const keys = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'demo-mt5.json'), 'utf8')) as { password: string };
    expect(mt5.password).toBe(keys.password);
    const mt5Session = new Mt5Session({ url: mt5.url, login: mt5.login, password: mt5.password, certificate: mt5.certificate });
    await expect(mt5Session.call('/api/group/get', { group: 'real\\eu\\standard' })).resolves.toMatchObject({ Currency: 'EUR' });
    mt5Session.close();
    second.child.kill('SIGINT');
    await exited(second.child);
    expect(second.child.exitCode).toBe(0);
    expect(errorLines(second.output())).toEqual([]);
    expect(second.output()).not.toMatch(/ALREADY_EXISTS|Registering|Seeding the demo/);
    // Each stop signed the head: the log verifies, every event checked.
    const verify = runTool('server/cli/audit-verify.ts', ['--data-dir', dataDir, '--public-key', path.join(dataDir, 'keys', 'audit-signing.pub.pem')]);
    expect(verify.stdout).toMatch(/^Audit log intact: \d+ events/);
    expect(verify.status).toBe(0);
  }, 300_000);

  it('after a SIGKILL in the middle of the first seed, the next start says plainly which folder to delete', async () => {
    const dataDir = tempDir('fxbo-demo-killed-');
    const first = runDemoServer(dataDir);
    running.push(first.child);
    await first.waitFor(/Demo staff created/);
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = runDemoServer(dataDir);
    running.push(second.child);
    await exited(second.child);
    expect(second.child.exitCode).toBe(1);
    expect(second.output()).toContain('left half-seeded');
    expect(second.output()).toContain(`Delete the folder ${dataDir}`);
    expect(errorLines(second.output())).toEqual([]);
  }, 300_000);
});
