// The rules every desktop window lives by, shared by the Electron wiring and the headless host:
// the app origin, a strict CSP, and navigation only within the app. (The window's webPreferences
// are written out literally in electron/main.ts, where static checks can read them.)

export const APP_SCHEME = 'fxbo';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

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
