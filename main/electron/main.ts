// The thin Electron wiring: one hardened window on the app's own protocol, the preload bridge to
// the DesktopHost, and nothing reachable beyond it. Every security setting here is the same in
// tests as in production (the Electron E2E test launches this very file).

import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, ipcMain, protocol, session, type IpcMainInvokeEvent } from 'electron';
import { DesktopHost } from '../host/host.js';
import { APP_ORIGIN, APP_SCHEME, CONTENT_SECURITY_POLICY, isAllowedNavigation } from '../window-security.js';
import { SafeStorageKeyWrapper } from './safe-storage-wrapper.js';

const SERVER_URL = process.env.FXBO_SERVER_URL ?? 'http://127.0.0.1:4000';
const HERE = __dirname;
const RENDERER_DIR = path.resolve(process.env.FXBO_RENDERER_DIR ?? path.join(HERE, '../renderer'));
const PRELOAD = path.join(HERE, '../preload/preload.cjs');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url;
  return Boolean(url) && isAllowedNavigation(url!) && event.senderFrame === event.sender.mainFrame;
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isAllowedNavigation(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

void app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  // The UI comes from the app's own files only; a path that leaves the renderer folder is refused.
  protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = path.resolve(RENDERER_DIR, relative);
    if (url.host !== 'app' || !file.startsWith(RENDERER_DIR + path.sep) || !fs.existsSync(file)) return new Response('Not found', { status: 404 });
    return new Response(fs.readFileSync(file), { headers: { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': CONTENT_SECURITY_POLICY } });
  });

  const host = new DesktopHost({ serverUrl: SERVER_URL, cacheDir: path.join(app.getPath('userData'), 'cache'), wrapper: new SafeStorageKeyWrapper(), cacheWorker: new URL(`file://${path.join(HERE, 'cache-worker.cjs')}`) });
  // Written out as a literal so that static checks (electronegativity) see exactly what runs.
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    show: false,
    title: 'FX Back Office',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  ipcMain.handle('fxbo:invoke', (event, channel: unknown, input: unknown) => {
    if (!isTrustedSender(event)) return { ok: false, error: { reason: 'FORBIDDEN', message: 'Untrusted sender.' } };
    return host.handle(channel, input);
  });
  host.on('event', (e) => {
    if (!win.isDestroyed()) win.webContents.send('fxbo:event', e);
  });
  win.once('ready-to-show', () => win.show());
  await win.loadURL(`${APP_ORIGIN}/index.html`);
  app.on('window-all-closed', () => {
    void host.close().finally(() => app.quit());
  });
});
