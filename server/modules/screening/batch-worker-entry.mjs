// The entry of a batch screening worker thread. Worker threads do not inherit tsx's loader from
// the process that starts them, so this registers it and then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./batch-worker.ts');
