// What every desktop E2E test starts from: a seeded server, the headless desktop host serving the
// built renderer, and Debian's Chromium; and signing a demo user in through the UI with a TOTP code.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { FileKeyWrapper } from '../../main/cache/keys.js';
import { buildRendererIfStale } from '../../main/build-renderer.js';
import { startHeadlessHost, type HeadlessHost } from '../../main/headless/server.js';
import { startTestServer, type TestServer } from '../../server/testing/harness.js';
import { launchChromium } from './browser.js';
import { SYSTEM_ACTOR } from '../../server/core/actor.js';
import { parseListFiles } from '../../server/modules/screening/lists/read.js';
import { aListFile } from '../../server/testing/builders.js';

export interface Desktop {
  t: TestServer;
  host: HeadlessHost;
  browser: Browser;
  /** a scratch directory, removed on close (screenshots go here unless E2E_SCREENSHOTS names another) */
  dir: string;
  close(): Promise<void>;
}

export async function startDesktop(prepare?: (t: TestServer) => Promise<void>, opts: { env?: Record<string, string>; start?: string } = {}): Promise<Desktop> {
  const rendererDir = await buildRendererIfStale();
  const t = await startTestServer('sqlite', { ...(opts.env ? { env: opts.env } : {}), ...(opts.start ? { start: opts.start } : {}) });
  await prepare?.(t);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fxbo-e2e-'));
  const host = await startHeadlessHost({ serverUrl: t.url, rendererDir, cacheDir: path.join(dir, 'cache'), wrapper: new FileKeyWrapper(path.join(dir, 'keys')) });
  const browser = await launchChromium();
  return {
    t,
    host,
    browser,
    dir,
    async close() {
      await browser.close();
      await host.close();
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Loads one small sanctions list, so that clients are screened (KYC approval waits for screening). */
export async function loadAList(t: TestServer): Promise<void> {
  await t.server.services.screening.importList({ ...SYSTEM_ACTOR, id: 'e2e:lists', name: 'list import' }, await parseListFiles([aListFile()]));
}

/** A desktop whose server has one small sanctions list loaded. */
export function startDesktopWithList(): Promise<Desktop> {
  return startDesktop(loadAList);
}

/** Signs a demo user in on the page, with a fresh TOTP step, and waits for the shell. */
export async function signIn(d: Pick<Desktop, 't' | 'host'>, page: Page, username: string): Promise<void> {
  const c = d.t.credentials.get(username)!;
  await page.goto(d.host.openUrl);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(c.password);
  d.t.clock.advance(30_000);
  await page.getByLabel('Authentication code').fill(d.t.code(username));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** A signed-in page of its own for `username` (a new browser context), with the page's uncaught errors collected. */
export async function openDesk(d: Pick<Desktop, 't' | 'host' | 'browser'>, username: string, opts: { acceptDownloads?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await (await d.browser.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: opts.acceptDownloads ?? false })).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(process.env.E2E_STACKS ? String(e.stack) : e.message));
  await signIn(d, page, username);
  return { page, errors };
}

/**
 * Opens the one row the quick filter `text` leaves in a queue's tab, from the keyboard (a click puts
 * the grid in hand, Esc leaves the cell, Enter opens the row), and returns the details pane.
 */
export async function openQueueRow(page: Page, queue: { tabs: string; tab: RegExp }, text: string): Promise<Locator> {
  await page.getByRole('tablist', { name: queue.tabs }).getByRole('tab', { name: queue.tab }).click();
  await page.getByLabel('Quick filter').fill(text);
  await expect.poll(() => page.locator('.grid .ag-row').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining(text)]);
  const pane = page.getByRole('complementary', { name: 'Details' });
  // A live update can redraw the row between the click and Enter (its focus goes with it): a person
  // presses Enter again, and so does the test, at most three times.
  for (let attempt = 1; ; attempt++) {
    await page.locator('.grid .ag-cell').first().click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    const opened = await pane.waitFor({ timeout: 5_000 }).then(
      () => true,
      () => false,
    );
    if (opened || attempt === 3) break;
  }
  return pane;
}

/** Signs a demo user in by typing and Enter, no clicks, with a fresh TOTP step. */
export async function signInWithKeys(d: Pick<Desktop, 't' | 'host'>, page: Page, username: string): Promise<void> {
  const c = d.t.credentials.get(username)!;
  await page.goto(d.host.openUrl);
  await page.getByLabel('Username').focus();
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(c.password);
  await page.keyboard.press('Tab');
  d.t.clock.advance(30_000);
  await page.keyboard.type(d.t.code(username));
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
