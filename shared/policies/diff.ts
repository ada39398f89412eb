// Named versions and structured diffs of rule documents (issue 19): `PAYMENTS_WITHDRAWAL_TIERS_v12`,
// and what changed between two versions as a reviewer reads it: which band, which role, which
// weight, from what to what. Lists of records with a name (tiers) are matched by name, so a tier
// moved or inserted reads as such instead of every later tier "changing"; lists of values (roles,
// countries) say what was added and removed.

export interface PolicyChange {
  /** Where, as a path a person reads: `tiers["up to 1,000"].upToBase`. */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

/** A version's name: the type in capitals and snake case, and the version (`PAYMENTS_WITHDRAWAL_TIERS_v12`). */
export function versionName(type: string, version: number): string {
  return `${type.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/\./g, '_').toUpperCase()}_v${version}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const named = (v: unknown): v is Record<string, unknown> & { name: string } => isRecord(v) && typeof v.name === 'string';
const key = (v: unknown) => JSON.stringify(v);

function walk(before: unknown, after: unknown, path: string, out: PolicyChange[]): void {
  if (key(before) === key(after)) return;
  if (isRecord(before) && isRecord(after)) {
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in after)) out.push({ path: p, kind: 'removed', from: before[k] });
      else if (!(k in before)) out.push({ path: p, kind: 'added', to: after[k] });
      else walk(before[k], after[k], p, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.every(named) && after.every(named) && new Set(before.map((b) => b.name)).size === before.length && new Set(after.map((a) => a.name)).size === after.length) {
      const was = new Map(before.map((b, i) => [b.name, { item: b, index: i }]));
      const now = new Map(after.map((a, i) => [a.name, { item: a, index: i }]));
      for (const [name, b] of was) if (!now.has(name)) out.push({ path: `${path}[${JSON.stringify(name)}]`, kind: 'removed', from: b.item });
      for (const [name, a] of now) {
        const b = was.get(name);
        if (!b) out.push({ path: `${path}[${JSON.stringify(name)}]`, kind: 'added', to: a.item });
        else {
          // The order of named records decides (the first matching tier wins): a move is a change.
          if (b.index !== a.index) out.push({ path: `${path}[${JSON.stringify(name)}]`, kind: 'changed', from: `position ${b.index + 1}`, to: `position ${a.index + 1}` });
          walk(b.item, a.item, `${path}[${JSON.stringify(name)}]`, out);
        }
      }
      return;
    }
    if ([...before, ...after].every((v) => !isRecord(v) && !Array.isArray(v))) {
      const removed = before.filter((b) => !after.some((a) => key(a) === key(b)));
      const added = after.filter((a) => !before.some((b) => key(a) === key(b)));
      if (removed.length) out.push({ path, kind: 'removed', from: removed });
      if (added.length) out.push({ path, kind: 'added', to: added });
      if (!removed.length && !added.length) out.push({ path, kind: 'changed', from: before, to: after });
      return;
    }
    const n = Math.max(before.length, after.length);
    for (let i = 0; i < n; i++) {
      const p = `${path}[${i}]`;
      if (i >= after.length) out.push({ path: p, kind: 'removed', from: before[i] });
      else if (i >= before.length) out.push({ path: p, kind: 'added', to: after[i] });
      else walk(before[i], after[i], p, out);
    }
    return;
  }
  out.push({ path: path || '(document)', kind: 'changed', from: before, to: after });
}

/** What changed from `before` to `after`, in document order; empty when they are the same. */
export function diffPolicies(before: unknown, after: unknown): PolicyChange[] {
  const out: PolicyChange[] = [];
  walk(before, after, '', out);
  return out;
}
