// The typed bridge, checked by the compiler (`npm run typecheck` includes this file): each line
// marked @ts-expect-error must fail to compile, so a channel or shape that stopped being checked
// fails the build.

import type { ChannelHandlers, ChannelOutput } from '../../main/host/channels.js';
import type { Channel, ChannelInput } from '../../shared/desktop/api.js';

declare function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;

export async function typedBridge(): Promise<void> {
  // @ts-expect-error a channel that does not exist
  await call('kyc.nope', {});
  // @ts-expect-error an input of the wrong shape
  await call('kyc.get', { caseRef: 42 });
  const kase = await call('kyc.get', { caseRef: 'KYC-000001' });
  // The answer is the server's own type: its fields are known…
  const status: string = kase.status;
  void status;
  // @ts-expect-error …and a field the server does not send is an error.
  void kase.noSuchField;
}

// @ts-expect-error a handler table that forgets a channel
export const partial = { 'session.current': async () => null } satisfies ChannelHandlers;

// @ts-expect-error a handler answering the wrong shape (a count is a number)
export const badCount: ChannelHandlers['cache.count'] = async () => 'many';
