// The renderer's only way out: `window.fxbo`, put there by the preload (Electron) or the headless
// bridge script. Every call answers `{ ok, value } | { ok: false, error }`; failures become thrown
// HostCallErrors carrying the reason, for the one listener that turns them into notifications.

import { CHANNELS, type Channel, type ChannelInput, type DesktopApi, type HostError, type HostEvent } from '../../shared/desktop/api.js';
import { issuesText } from '../../shared/issues.js';
import type { ChannelOutput } from '../../main/host/channels.js';

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
  get reason(): HostError['reason'] {
    return this.error.reason;
  }
}

function api(): DesktopApi {
  if (!window.fxbo) throw new Error('The desktop bridge is missing: open the app from the desktop host.');
  return window.fxbo;
}

/** Calls a host channel with its input; answers the channel's shape, typed from the server router. */
export async function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  // Forms are checked here, before anything is sent, against the schema the host checks again.
  const checked = CHANNELS[channel].safeParse(input);
  if (!checked.success) throw new HostCallError({ reason: 'VALIDATION_FAILED', message: issuesText(checked.error.issues) });
  let result;
  try {
    result = await api().invoke(channel, input);
  } catch {
    throw new HostCallError({ reason: 'HOST_UNREACHABLE', message: 'The desktop host is not answering.' });
  }
  if (!result.ok) throw new HostCallError(result.error);
  return result.value as ChannelOutput<C>;
}

export function onHostEvent(listener: (event: HostEvent) => void): () => void {
  return api().onEvent(listener);
}
