// ESLint rule: the folder is the runtime. Enforces ARCHITECTURE's import direction:
//   shared   <- server, main, renderer, preload   (shared imports none of them)
//   server   <- main (type-only: the AppRouter type)
//   main     <- renderer, preload (type-only: the host router type)
// and keeps runtime-specific packages out of the folders that cannot load them.

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
        const to = layerOf(path.resolve(path.dirname(file), source), root);
        if (!to) return;
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
