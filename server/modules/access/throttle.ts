// Sign-in failures: how fast anyone may keep failing, and how they are recorded.
//
// Throttle: failures are counted per source address and per username over a sliding window. An
// address past its limit is refused (TOO_MANY_REQUESTS, with the seconds to wait) before any
// password is checked. The per-username limit slows guessing spread over many addresses, but only
// holds back addresses that have themselves failed for that username: the person whose account is
// under attack, signing in from elsewhere, is never kept out by someone else's failures.
//
// Denials are audited without the typed username (a keyed hash stands in for it) and aggregated:
// the first failure of an (address, username, reason) in a window is recorded at once, the rest
// as one event when the window ends.

export interface ThrottleLimits {
  perAddress: number;
  perUsername: number;
  windowMs: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { perAddress: 10, perUsername: 20, windowMs: 60_000 };

export class LoginThrottle {
  readonly #byAddress = new Map<string, number[]>();
  readonly #byUsername = new Map<string, Array<{ at: number; address: string }>>();

  constructor(private readonly limits: ThrottleLimits = DEFAULT_LIMITS) {}

  private recent<T extends number | { at: number }>(list: T[] | undefined, now: number): T[] {
    const since = now - this.limits.windowMs;
    return (list ?? []).filter((x) => (typeof x === 'number' ? x : x.at) > since);
  }

  /** Seconds to wait before this address may try this username again, or null to go ahead. */
  check(address: string, usernameKey: string, now: number): number | null {
    const own = this.recent(this.#byAddress.get(address), now);
    if (own.length >= this.limits.perAddress) return Math.max(1, Math.ceil((own[0]! + this.limits.windowMs - now) / 1000));
    const forUser = this.recent(this.#byUsername.get(usernameKey), now);
    if (forUser.length >= this.limits.perUsername && forUser.some((f) => f.address === address)) {
      return Math.max(1, Math.ceil((forUser[0]!.at + this.limits.windowMs - now) / 1000));
    }
    return null;
  }

  fail(address: string, usernameKey: string, now: number): void {
    this.#byAddress.set(address, [...this.recent(this.#byAddress.get(address), now), now]);
    this.#byUsername.set(usernameKey, [...this.recent(this.#byUsername.get(usernameKey), now), { at: now, address }]);
    // Forget the quiet ones now and then, so the maps stay as small as the attack.
    if (this.#byAddress.size > 10_000) for (const [k, v] of this.#byAddress) if (this.recent(v, now).length === 0) this.#byAddress.delete(k);
    if (this.#byUsername.size > 10_000) for (const [k, v] of this.#byUsername) if (this.recent(v, now).length === 0) this.#byUsername.delete(k);
  }

  /** A successful sign-in clears that address's failures for the user. */
  succeed(address: string, usernameKey: string): void {
    this.#byUsername.set(usernameKey, (this.#byUsername.get(usernameKey) ?? []).filter((f) => f.address !== address));
  }
}

export interface Denial {
  address: string | null;
  userAgent: string | null;
  /** the user's id when the username exists, else the keyed hash of what was typed */
  target: string;
  reason: string;
}

/** Repeats of one denial within a window, waiting to be recorded as one event. */
export interface RepeatedDenials extends Denial {
  count: number;
  from: string;
  to: string;
}

export class DenialAggregator {
  readonly #open = new Map<string, RepeatedDenials & { windowEnds: number }>();

  constructor(private readonly windowMs = DEFAULT_LIMITS.windowMs) {}

  /**
   * Notes a denial: true when it is the first of its kind in the window (record it now); false
   * when it only adds to the count of repeats recorded later.
   */
  note(d: Denial, at: string): boolean {
    const key = `${d.address ?? ''}|${d.target}|${d.reason}`;
    const open = this.#open.get(key);
    const now = Date.parse(at);
    if (open !== undefined && now < open.windowEnds) {
      open.count += 1;
      open.to = at;
      return false;
    }
    this.#open.set(key, { ...d, count: 0, from: at, to: at, windowEnds: now + this.windowMs });
    return true;
  }

  /** The repeats of windows that have ended by `at` (all of them with `all`), removed from the aggregator. */
  due(at: string, all = false): RepeatedDenials[] {
    const now = Date.parse(at);
    const out: RepeatedDenials[] = [];
    for (const [key, open] of this.#open) {
      if (!all && now < open.windowEnds) continue;
      this.#open.delete(key);
      if (open.count > 0) {
        const { windowEnds: _ends, ...repeats } = open;
        out.push(repeats);
      }
    }
    return out;
  }
}
