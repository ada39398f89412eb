// Talking to the host from a pane: one hook that loads a channel's answer (and reloads it when its
// inputs change), one that runs an action with busy and error state, and one component that says
// "loading" or the error the same way everywhere.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Channel, ChannelInput } from '../../../shared/desktop/api.js';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { call, HostCallError } from '../bridge.js';
import { isReason, REASON_SENTENCES } from '../../../shared/errors.js';

/** The reason code behind an error text, kept for support (shown as the error's tooltip). */
const lastReason = new Map<string, string>();

/** The text of a failed call: the server's sentence, or the reason's sentence when there is none. */
export function errorText(e: unknown): string {
  if (e instanceof HostCallError) {
    const text = e.message || (isReason(e.reason) ? REASON_SENTENCES[e.reason] : 'The desktop host could not do this.');
    lastReason.set(text, e.reason);
    if (lastReason.size > 200) lastReason.delete(lastReason.keys().next().value!);
    return text;
  }
  return e instanceof Error ? e.message : String(e);
}

export interface HostQuery<T> {
  data: T | null;
  error: string | null;
  /** Loads again (after an action, or when the cache says the record moved). */
  reload(): Promise<void>;
  /** Replaces the answer with a fresher one an action returned. */
  set(value: T): void;
}

/** The channel's answer for `input`, loaded again whenever `key` changes; stale answers are dropped. */
export function useHostQuery<C extends Channel>(channel: C, input: ChannelInput<C>, key: readonly unknown[], options: { skip?: boolean } = {}): HostQuery<ChannelOutput<C>> {
  const skip = options.skip ?? false;
  const [data, setData] = useState<ChannelOutput<C> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const inputRef = useRef(input);
  inputRef.current = input;
  const reload = useCallback(async () => {
    const ticket = ++latest.current;
    try {
      const value = await call(channel, inputRef.current);
      if (ticket === latest.current) {
        setData(value);
        setError(null);
      }
    } catch (e) {
      if (ticket === latest.current) setError(errorText(e));
    }
  }, [channel]);
  useEffect(() => {
    setData(null);
    setError(null);
    if (!skip) void reload();
    // `key` names what the answer depends on; `input` is read from the ref.
  }, key);
  return { data, error, reload, set: setData };
}

export interface HostAction<C extends Channel> {
  /** Runs the channel; answers its result, or null after showing the error. */
  run(input: ChannelInput<C>): Promise<ChannelOutput<C> | null>;
  busy: boolean;
  error: string | null;
  setError(message: string | null): void;
}

export function useHostAction<C extends Channel>(channel: C): HostAction<C> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (input: ChannelInput<C>) => {
      setBusy(true);
      setError(null);
      try {
        return await call(channel, input);
      } catch (e) {
        setError(errorText(e));
        return null;
      } finally {
        setBusy(false);
      }
    },
    [channel],
  );
  return { run, busy, error, setError };
}

/** "Loading …" while there is nothing to show, the error when loading failed, nothing otherwise. */
export function PaneStatus({ loading, error, what }: { loading: boolean; error: string | null; what: string }) {
  if (error) {
    return (
      <p className="error" role="alert" title={lastReason.get(error)}>
        {error}
      </p>
    );
  }
  return loading ? <p className="hint">Loading {what}…</p> : null;
}
