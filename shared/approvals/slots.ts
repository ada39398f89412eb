// Approver slots: each slot is filled by a different person holding one of its roles. Used by the
// withdrawal tiers and by the approval chains of rule changes.

/**
 * Fills the slots with the approvals given, each approver in one slot their roles fit (a matching
 * that tries every order, so a manager who could fill either slot never blocks an officer).
 * Answers the slots still open.
 */
export function openSlots<S extends { roles: readonly string[] }>(slots: readonly S[], approvers: ReadonlyArray<{ roles: readonly string[] }>): S[] {
  const n = slots.length;
  let best: number[] = [];
  const assign = (i: number, used: Set<number>, filled: number[]) => {
    if (filled.length > best.length) best = [...filled];
    if (i === approvers.length || best.length === n) return;
    for (let s = 0; s < n; s++) {
      if (used.has(s) || !slots[s]!.roles.some((r) => approvers[i]!.roles.includes(r))) continue;
      used.add(s);
      assign(i + 1, used, [...filled, s]);
      used.delete(s);
    }
    assign(i + 1, used, filled);
  };
  assign(0, new Set(), []);
  return slots.filter((_, s) => !best.includes(s));
}
