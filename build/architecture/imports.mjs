// The project's import graph, read from the source: every relative `import`/`export … from` in
// server/, main/, renderer/, shared/ and preload/ (type-only imports included: a type-level cycle
// ties two modules as surely as a runtime one). Used by the checks that keep the graph acyclic and
// keep files small (build/architecture/architecture.test.ts).

import fs from 'node:fs';
import path from 'node:path';

export const SOURCE_ROOTS = ['server', 'main', 'renderer', 'shared', 'preload'];
const SOURCE = /\.(ts|tsx|mts)$/;
const SKIP = /(\.test\.tsx?$|\.d\.ts$|node_modules|\/dist\/|\/out\/)/;
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[\s\S]*?\sfrom\s+)?['"](\.[^'"]+)['"]/g;

/** Source files (not tests) under the roots, relative to `root`, in a stable order. */
export function sourceFiles(root) {
  const out = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(full);
      } else if (SOURCE.test(entry.name) && !SKIP.test(full)) out.push(path.relative(root, full));
    }
  };
  for (const r of SOURCE_ROOTS) walk(path.join(root, r));
  return out.sort();
}

function resolve(root, from, spec) {
  const base = path.resolve(root, path.dirname(from), spec);
  const stem = base.replace(/\.(js|mjs|jsx)$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, path.join(base, 'index.ts')]) {
    if (SOURCE.test(candidate) && fs.existsSync(candidate)) return path.relative(root, candidate);
  }
  return null;
}

/** file -> the project files it imports. */
export function importGraph(root) {
  const graph = new Map();
  for (const file of sourceFiles(root)) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const deps = new Set();
    for (const m of text.matchAll(IMPORT)) {
      const target = resolve(root, file, m[1]);
      if (target && !SKIP.test(target)) deps.add(target);
    }
    graph.set(file, [...deps].sort());
  }
  return graph;
}

/** The cycles of the graph: each strongly connected component of more than one file (or a file importing itself). */
export function cycles(graph) {
  let index = 0;
  const stack = [];
  const on = new Set();
  const idx = new Map();
  const low = new Map();
  const out = [];
  const connect = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) connect(v);
  return out;
}
