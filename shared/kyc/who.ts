// Who may act on a KYC case now, one rule for the server (which enforces it) and the case pane
// (which offers only what will be accepted): an escalated case belongs to the senior compliance
// officers and the MLRO; any other case to its assignee, and to senior officers, who may step in.
// Assigning is open to anyone who reviews cases in the entity, within the rules of kyc.assign.

export interface CaseForActor {
  id: string;
  status: string;
  assigneeId: string | null;
  escalatedTo: string | null;
}

export interface KycActor {
  userId: string;
  /** Holds kyc.decideHighRisk in the case's entity (senior compliance officer, MLRO). */
  senior: boolean;
}

export type MayAct = { ok: true } | { ok: false; reason: 'FORBIDDEN_PERMISSION' | 'NOT_ASSIGNED'; message: string };

export function mayActOnCase(kase: CaseForActor, who: KycActor): MayAct {
  if (kase.status === 'escalated') {
    if (who.senior) return { ok: true };
    return { ok: false, reason: 'FORBIDDEN_PERMISSION', message: `${kase.id} is escalated to the ${kase.escalatedTo?.replaceAll('_', ' ') ?? 'senior compliance officer'}; only a senior compliance officer or the MLRO may act on it now.` };
  }
  if (kase.assigneeId === who.userId || who.senior) return { ok: true };
  return {
    ok: false,
    reason: 'NOT_ASSIGNED',
    message: kase.assigneeId ? `${kase.id} is assigned to someone else; ask them, or have it reassigned to you first (kyc.assign).` : `${kase.id} is not assigned; assign it to yourself first (kyc.assign).`,
  };
}
