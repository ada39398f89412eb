// The renderer's only way out: `window.fxbo`, put there by the preload (Electron) or the headless
// bridge script. Every call answers `{ ok, value } | { ok: false, error }`; failures become thrown
// HostCallErrors carrying the reason, for the one listener that turns them into notifications.

import type { Channel, DesktopApi, HostError, HostEvent } from '../../shared/desktop/api.js';

declare global {
  interface Window {
    fxbo?: DesktopApi;
  }
}

export class HostCallError extends Error {
  override readonly name = 'HostCallError';
  constructor(readonly error: HostError) {
    super(error.message);
  }
  get reason(): string {
    return this.error.reason;
  }
}

function api(): DesktopApi {
  if (!window.fxbo) throw new Error('The desktop bridge is missing: open the app from the desktop host.');
  return window.fxbo;
}

export async function call<T>(channel: Channel, input: unknown = {}): Promise<T> {
  let result;
  try {
    result = await api().invoke(channel, input);
  } catch {
    throw new HostCallError({ reason: 'HOST_UNREACHABLE', message: 'The desktop host is not answering.' });
  }
  if (!result.ok) throw new HostCallError(result.error);
  return result.value as T;
}

export function onHostEvent(listener: (event: HostEvent) => void): () => void {
  return api().onEvent(listener);
}
