// ESLint rule: the folder is the runtime. Enforces ARCHITECTURE's import direction:
//   shared   <- server, main, renderer, preload   (shared imports none of them)
//   server   <- main (type-only: the AppRouter type)
//   main     <- renderer, preload (type-only: the host router type)
// and keeps runtime-specific packages out of the folders that cannot load them. Within a layer:
//   server/trpc.ts (the transport) is imported only by routers (server/router.ts,
//     server/modules/*/router.ts), the HTTP app (server/app.ts) and tests: services take the caller
//     from server/core/auth.ts and never know about tRPC;
//   a feature folder of the renderer (renderer/src/kyc, …) imports no other feature's files: the
//     pieces they share live in renderer/src/shared; only the shell (renderer/src/app) puts them together.

import { builtinModules } from 'node:module';
import path from 'node:path';

const LAYERS = ['shared', 'server', 'main', 'renderer', 'preload'];

/** layer -> layers it may import at runtime, and layers it may import types from. */
const ALLOWED = {
  shared: { runtime: ['shared'], types: [] },
  server: { runtime: ['shared', 'server'], types: [] },
  main: { runtime: ['shared', 'main'], types: ['server'] },
  renderer: { runtime: ['shared', 'renderer'], types: ['main'] },
  preload: { runtime: ['shared', 'preload'], types: ['main'] },
};

const NODE = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const packageName = (source) => (source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0]);

/** Packages a layer must not load, with the reason shown to whoever tries. */
function forbiddenPackage(layer, source) {
  const pkg = packageName(source);
  const isNode = NODE.has(source) || NODE.has(pkg) || source.startsWith('node:');
  switch (layer) {
    case 'shared':
      if (isNode) return 'shared/ runs everywhere, so it cannot use Node built-ins';
      if (['electron', 'react', 'react-dom', 'fastify', 'pg', 'better-sqlite3', 'kysely'].includes(pkg)) return `shared/ stays free of runtime-specific packages like ${pkg}`;
      return null;
    case 'renderer':
      if (isNode) return 'the renderer is sandboxed and has no Node built-ins';
      if (pkg === 'electron') return 'the renderer talks to the host only through the preload API';
      return null;
    case 'preload':
      if (isNode) return 'the sandboxed preload has no Node built-ins';
      return null;
    case 'server':
      if (['electron', 'react', 'react-dom'].includes(pkg)) return `the server never loads ${pkg}`;
      return null;
    default:
      return null;
  }
}

const TRANSPORT = path.join('server', 'trpc.ts');
const TRANSPORT_USERS = /^server[\\/](router\.ts|app\.ts|modules[\\/][^\\/]+[\\/]router\.ts)$|\.test\.tsx?$/;
const RENDERER_COMMON = new Set(['shared', 'app']);

/** The feature folder of a renderer file (renderer/src/<feature>/…), or null for files beside them. */
function rendererFeature(rel) {
  const parts = rel.split(path.sep);
  return parts[0] === 'renderer' && parts[1] === 'src' && parts.length > 3 ? parts[2] : null;
}

function layerOf(file, root) {
  const rel = path.relative(root, file);
  if (rel.startsWith('..')) return null;
  const first = rel.split(path.sep)[0];
  return LAYERS.includes(first) ? first : null;
}

function isTypeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specs = node.specifiers ?? [];
  return specs.length > 0 && specs.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

export const importDirection = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the import direction between shared, server, main, renderer and preload' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      layer: '{{from}}/ must not import {{to}}/{{how}}: {{why}}',
      pkg: '{{from}}/ must not import "{{source}}": {{why}}',
      transport: '{{file}} must not import server/trpc.ts: only routers and the HTTP app know the transport; take the caller and requireEntity from server/core/auth.ts',
      feature: 'renderer/src/{{mine}} must not import renderer/src/{{theirs}}: move what both need to renderer/src/shared',
    },
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const file = context.filename;
    const from = layerOf(file, root);
    if (!from) return {};
    const check = (node, sourceNode, typeOnly) => {
      if (!sourceNode || typeof sourceNode.value !== 'string') return;
      const source = sourceNode.value;
      if (source.startsWith('.')) {
        const target = path.resolve(path.dirname(file), source);
        const to = layerOf(target, root);
        if (!to) return;
        const relFrom = path.relative(root, file);
        const relTo = path.relative(root, target).replace(/\.js$/, '.ts');
        if (relTo === TRANSPORT && !TRANSPORT_USERS.test(relFrom)) {
          context.report({ node, messageId: 'transport', data: { file: relFrom } });
          return;
        }
        const [mine, theirs] = [rendererFeature(relFrom), rendererFeature(relTo)];
        if (mine && theirs && mine !== theirs && mine !== 'app' && !RENDERER_COMMON.has(theirs)) {
          context.report({ node, messageId: 'feature', data: { mine, theirs } });
          return;
        }
        const rules = ALLOWED[from];
        if (rules.runtime.includes(to)) return;
        if (typeOnly && rules.types.includes(to)) return;
        const why = rules.types.includes(to) ? 'only its types may be imported (use `import type`)' : 'see ARCHITECTURE.md, import direction';
        context.report({ node, messageId: 'layer', data: { from, to, how: rules.types.includes(to) ? ' at runtime' : '', why } });
        return;
      }
      if (typeOnly) return;
      const why = forbiddenPackage(from, source);
      if (why) context.report({ node, messageId: 'pkg', data: { from, source, why } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source, isTypeOnly(node)),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source, false),
    };
  },
};

export default { rules: { 'import-direction': importDirection } };
