// The headless stand-in for the preload: defines `window.fxbo` (the same DesktopApi) over HTTP to
// the headless host. The launch key arrives in the URL fragment (never sent to a server, never
// logged), is kept in this tab's sessionStorage, and goes with every call as a header; each tab
// is its own desktop session. The channel list is written in from shared/desktop/api.ts, the one
// the host validates against: a call on another name is refused here, as the host would.

import { CHANNELS } from '../../shared/desktop/api.js';

export const BRIDGE_SCRIPT = `(() => {
  'use strict';
  const channels = new Set(${JSON.stringify(Object.keys(CHANNELS))});
  const params = new URLSearchParams(location.hash.slice(1));
  const key = params.get('k') || sessionStorage.getItem('fxbo.k') || '';
  if (params.get('k')) { sessionStorage.setItem('fxbo.k', key); history.replaceState(null, '', location.pathname); }
  let tab = sessionStorage.getItem('fxbo.tab');
  if (!tab) { tab = crypto.randomUUID(); sessionStorage.setItem('fxbo.tab', tab); }
  const headers = { 'content-type': 'application/json', 'x-fxbo-key': key, 'x-fxbo-tab': tab };
  const listeners = new Set();
  (async function events() {
    for (;;) {
      try {
        const res = await fetch('/events', { headers });
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let i;
          while ((i = buffer.indexOf('\\n\\n')) >= 0) {
            const line = buffer.slice(0, i); buffer = buffer.slice(i + 2);
            if (line.startsWith('data: ')) { const event = JSON.parse(line.slice(6)); for (const l of listeners) l(event); }
          }
        }
      } catch (e) { /* host restarting: try again */ }
      for (const l of listeners) l({ type: 'sync', status: { state: 'offline', rowsReceived: 0, lastSyncAt: null, lastError: 'The desktop host is not answering.', notice: null } });
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  window.fxbo = Object.freeze({
    invoke: async (channel, input) => {
      if (!channels.has(channel)) return { ok: false, error: { reason: 'VALIDATION_FAILED', message: 'Unknown channel ' + JSON.stringify(channel) } };
      const res = await fetch('/ipc', { method: 'POST', headers, body: JSON.stringify({ channel, input }) });
      return res.json();
    },
    onEvent: (listener) => { listeners.add(listener); return () => listeners.delete(listener); },
  });
})();
`;
