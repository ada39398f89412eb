import path from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import { importDirection } from './import-direction.js';

RuleTester.describe = describe;
RuleTester.it = it;

const root = '/repo';
const at = (file: string) => path.join(root, file);
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser as never, ecmaVersion: 2022, sourceType: 'module' } });

tester.run('import-direction', importDirection as never, {
  valid: [
    { filename: at('server/app.ts'), code: "import { x } from '../shared/errors.js';", options: [{ root }] },
    { filename: at('server/modules/a/b.ts'), code: "import fs from 'node:fs';", options: [{ root }] },
    { filename: at('main/host.ts'), code: "import type { AppRouter } from '../server/router.js';", options: [{ root }] },
    { filename: at('main/host.ts'), code: "import { type AppRouter } from '../server/router.js';", options: [{ root }] },
    { filename: at('renderer/app.tsx'), code: "import type { HostRouter } from '../main/ipc.js';", options: [{ root }] },
    { filename: at('shared/x.ts'), code: "import { z } from 'zod';", options: [{ root }] },
    { filename: at('preload/index.ts'), code: "import { contextBridge } from 'electron';", options: [{ root }] },
    { filename: at('bench/run.ts'), code: "import { x } from '../server/app.js';", options: [{ root }] },
    { filename: at('server/modules/kyc/router.ts'), code: "import { router } from '../../trpc.js';", options: [{ root }] },
    { filename: at('server/router.ts'), code: "import { router } from './trpc.js';", options: [{ root }] },
    { filename: at('server/modules/kyc/kyc.int.test.ts'), code: "import { x } from '../../trpc.js';", options: [{ root }] },
    { filename: at('renderer/src/kyc/KycReview.tsx'), code: "import { QueueView } from '../shared/QueueView.js';", options: [{ root }] },
    { filename: at('renderer/src/app/App.tsx'), code: "import { KycReview } from '../kyc/KycReview.js';", options: [{ root }] },
    { filename: at('renderer/src/kyc/KycReview.tsx'), code: "import { call } from '../bridge.js';", options: [{ root }] },
  ],
  invalid: [
    { filename: at('shared/x.ts'), code: "import { appRouter } from '../server/router.js';", options: [{ root }], errors: [{ messageId: 'layer' }] },
    { filename: at('shared/x.ts'), code: "import type { AppRouter } from '../server/router.js';", options: [{ root }], errors: [{ messageId: 'layer' }] },
    { filename: at('shared/x.ts'), code: "import fs from 'node:fs';", options: [{ root }], errors: [{ messageId: 'pkg' }] },
    { filename: at('shared/x.ts'), code: "import { createHash } from 'crypto';", options: [{ root }], errors: [{ messageId: 'pkg' }] },
    { filename: at('server/x.ts'), code: "import { host } from '../main/host.js';", options: [{ root }], errors: [{ messageId: 'layer' }] },
    { filename: at('server/x.ts'), code: "import { app } from 'electron';", options: [{ root }], errors: [{ messageId: 'pkg' }] },
    { filename: at('main/host.ts'), code: "import { appRouter } from '../server/router.js';", options: [{ root }], errors: [{ messageId: 'layer' }] },
    { filename: at('renderer/app.tsx'), code: "import { startHost } from '../main/host.js';", options: [{ root }], errors: [{ messageId: 'layer' }] },
    { filename: at('renderer/app.tsx'), code: "import { x } from '../server/router.js';", options: [{ root }], errors: [{ messageId: 'layer' }] },
    { filename: at('renderer/app.tsx'), code: "import { ipcRenderer } from 'electron';", options: [{ root }], errors: [{ messageId: 'pkg' }] },
    { filename: at('renderer/app.tsx'), code: "const m = await import('../main/host.js');", options: [{ root }], errors: [{ messageId: 'layer' }] },
    { filename: at('preload/index.ts'), code: "export * from '../server/router.js';", options: [{ root }], errors: [{ messageId: 'layer' }] },
    { filename: at('server/modules/kyc/service.ts'), code: "import { requireEntity } from '../../trpc.js';", options: [{ root }], errors: [{ messageId: 'transport' }] },
    { filename: at('server/services.ts'), code: "import type { Context } from './trpc.js';", options: [{ root }], errors: [{ messageId: 'transport' }] },
    { filename: at('renderer/src/kyc/KycReview.tsx'), code: "import { TimelineToggle } from '../screening/ScreeningReview.js';", options: [{ root }], errors: [{ messageId: 'feature' }] },
  ],
});
