// A cached row's full record: the `_json` the sync feed stored beside the grid's columns, typed
// by its view from the server's own record types (server/modules/sync/service.ts CachedRecords).
// The one place the renderer reads `_json`; the host's cache holds only what the server sent.

import type { CacheRow } from '../../../shared/desktop/views.js';
import type { CachedRecord, CachedView } from '../../../main/host/channels.js';

export function recordOf<V extends CachedView>(_view: V, row: CacheRow): CachedRecord<V> {
  return JSON.parse(String(row._json)) as CachedRecord<V>;
}
