// The preload: the only bridge between the sandboxed renderer and the desktop host. It exposes one
// object, `window.fxbo`, typed as DesktopApi from shared/, on a single invoke channel and a single
// event channel. Nothing else: no Node, no ipcRenderer, no arbitrary channels.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Channel, DesktopApi, HostEvent, HostResult } from '../shared/desktop/api.js';

const api = {
  invoke: (channel: Channel, input: unknown) => ipcRenderer.invoke('fxbo:invoke', channel, input) as Promise<HostResult<unknown>>,
  onEvent: (listener: (event: HostEvent) => void) => {
    const handler = (_e: IpcRendererEvent, event: HostEvent) => listener(event);
    ipcRenderer.on('fxbo:event', handler);
    return () => {
      ipcRenderer.off('fxbo:event', handler);
    };
  },
} satisfies DesktopApi;

contextBridge.exposeInMainWorld('fxbo', api);
