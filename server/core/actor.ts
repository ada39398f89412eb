// Who is acting, as every audit event records it.

export interface Actor {
  readonly id: string;
  readonly name: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly sessionId: string | null;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'system', ip: null, userAgent: null, sessionId: null };

export function anonymousActor(ip: string | null, userAgent: string | null, name = 'anonymous'): Actor {
  return { id: 'anonymous', name, ip, userAgent, sessionId: null };
}

/** The client portal, calling intake procedures with its service key on a client's behalf. */
export function portalActor(ip: string | null, userAgent: string | null): Actor {
  return { id: 'portal', name: 'client portal', ip, userAgent, sessionId: null };
}
