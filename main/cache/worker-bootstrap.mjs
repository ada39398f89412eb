// Worker entry: registers tsx's loader inside the worker thread (Node 20 workers do not inherit
// `--import tsx`), then runs the TypeScript worker. A packaged build bundles worker.ts instead.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
