// The hardened settings of every desktop window, in one place so that tests and production use the
// same ones: sandboxed renderer, context isolation, no Node integration, a strict CSP, and no
// navigation, new windows or permissions. The Electron wiring layer applies them; this module
// imports Electron's types only, so it runs and is tested as plain Node.

import type { WebPreferences } from 'electron';

export const APP_SCHEME = 'fxbo';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

export function hardenedWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
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
    spellcheck: false,
    safeDialogs: true,
  };
}

/** Only the app's own scripts, styles and images; no remote content, no eval, no plugins. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The window may show only the app itself; anything else is refused. */
export function isAllowedNavigation(url: string): boolean {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}
