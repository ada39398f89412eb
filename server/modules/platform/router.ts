// The platform module's procedures: MT5 status and accounts, interventions, and manager operations
// found on MT5 with no case. Permissions and entity scope: shared/access/permissions.ts and each
// service's checks.

import { z } from 'zod';
import { router, staffProcedure } from '../../trpc.js';
import { clientAccountsInput, escalateInput, interventionApproveInput, interventionQueueInput, interventionRefInput, interventionRejectInput, linkInput, requestInterventionInput, unlinkedInput } from '../../../shared/platform/schemas.js';

export const platformRouter = router({
  status: staffProcedure.input(z.object({}).strict()).query(async ({ ctx }) => {
    const s = ctx.services;
    const scan = await s.store.kysely.selectFrom('platform_scan_state').select('updated_at').where('name', '=', 'deals').executeTakeFirst();
    const provisioning = await s.store.kysely.selectFrom('mt5_accounts').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'provisioning').executeTakeFirstOrThrow();
    const queue = s.mt5 ? await s.mt5.operations.queueState() : null;
    // Operations made on MT5 with no case, in the caller's entities: how many wait, and how long the oldest has.
    const { unlinked, oldestUnlinkedHours } = await s.managerOps.list(ctx.auth, { limit: 1 });
    return { configured: s.mt5 !== null, mt5: queue?.mt5 ?? 'not_configured', waiting: queue?.waiting ?? 0, unclear: queue?.unclear ?? 0, provisioning: Number(provisioning.n), scannedAt: scan?.updated_at ?? null, unlinked, oldestUnlinkedHours };
  }),
  accounts: staffProcedure.input(clientAccountsInput).query(({ ctx, input }) => ctx.services.mt5Accounts.ofClient(ctx.auth, input.clientId)),
});

export const interventionsRouter = router({
  reasonCodes: staffProcedure.input(z.object({}).strict()).query(async ({ ctx }) => {
    const policy = await ctx.services.policies.require(ctx.services.store.kysely, 'platform.interventionTiers');
    return { policyRef: policy.ref, reasonCodes: policy.document.reasonCodes.map((r) => ({ code: r.code, label: r.label, types: [...r.types] })) };
  }),
  request: staffProcedure.input(requestInterventionInput).mutation(({ ctx, input }) => ctx.services.interventions.request(ctx.auth, input)),
  approve: staffProcedure.input(interventionApproveInput).mutation(({ ctx, input }) => ctx.services.interventions.approve(ctx.auth, input)),
  reject: staffProcedure.input(interventionRejectInput).mutation(({ ctx, input }) => ctx.services.interventions.reject(ctx.auth, input)),
  execute: staffProcedure.input(interventionRefInput).mutation(({ ctx, input }) => ctx.services.interventions.execute(ctx.auth, input)),
  get: staffProcedure.input(interventionRefInput).query(({ ctx, input }) => ctx.services.interventionReads.get(ctx.auth, input.caseRef)),
  queue: staffProcedure.input(interventionQueueInput).query(({ ctx, input }) => ctx.services.interventionReads.queue(ctx.auth, input)),
  unlinked: staffProcedure.input(unlinkedInput).query(({ ctx, input }) => ctx.services.managerOps.list(ctx.auth, input)),
  link: staffProcedure.input(linkInput).mutation(({ ctx, input }) => ctx.services.managerOps.link(ctx.auth, input)),
  escalate: staffProcedure.input(escalateInput).mutation(({ ctx, input }) => ctx.services.managerOps.escalate(ctx.auth, input)),
});
