// The ledger on both engines: balanced postings move the stored balances in the same transaction
// and are audited; an unbalanced one is refused before anything is written; a correction is a new
// posting naming the old one; the fold finds a stored balance someone changed by hand.

import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { describeEachEngine, expectReason, portalClientFor, startTestServer, type TestServer } from '../../testing/harness.js';
import { aRegistration } from '../../testing/builders.js';
import { runTool } from '../../testing/processes.js';
import { accountId, clientBalances, LedgerError, post, verifyLedger, type AccountKey } from './ledger.js';

describeEachEngine('the ledger', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  const client = (kind: AccountKey['kind'], currency = 'EUR'): AccountKey => ({ legalEntity: 'eu', ownerType: 'client', ownerId: 'CL-900001', kind, currency });
  const clearing = (currency = 'EUR'): AccountKey => ({ legalEntity: 'eu', ownerType: 'provider', ownerId: 'stripe', kind: 'clearing', currency });
  const write = (input: Parameters<typeof post>[1]) => t.server.services.store.mutate(SYSTEM_ACTOR, (m) => post(m, input));

  it('credits a deposit, holds and pays a withdrawal, and corrects by a new posting', async () => {
    const deposit = await write({ kind: 'deposit.credit', reference: 'DEP-900001', memo: 'Card deposit', lines: [{ account: clearing(), amount: -125_000n }, { account: client('available'), amount: 125_000n }] });
    await write({ kind: 'withdrawal.hold', reference: 'WDR-900001', memo: 'Withdrawal requested', lines: [{ account: client('available'), amount: -50_000n }, { account: client('held'), amount: 50_000n }] });
    expect(await clientBalances(t.server.services.store.kysely, 'CL-900001')).toEqual([{ currency: 'EUR', available: 75_000n, pending: 0n, held: 50_000n }]);

    const correction = await write({ kind: 'correction', reference: 'DEP-900001', memo: 'Provider reported 1,200.00, not 1,250.00', corrects: deposit, lines: [{ account: clearing(), amount: 5_000n }, { account: client('available'), amount: -5_000n }] });
    const rows = await t.server.services.store.kysely.selectFrom('ledger_postings').select(['id', 'corrects', 'sealed']).where('reference', '=', 'DEP-900001').orderBy('id').execute();
    expect(rows).toEqual([
      { id: deposit, corrects: null, sealed: 1 },
      { id: correction, corrects: deposit, sealed: 1 },
    ]);
    expect((await clientBalances(t.server.services.store.kysely, 'CL-900001'))[0]).toMatchObject({ available: 70_000n });
    const events = await t.server.services.store.kysely.selectFrom('audit_events').select(['action', 'target_id', 'client_id']).where('action', '=', 'ledger.posted').where('target_id', '=', correction).execute();
    expect(events).toEqual([{ action: 'ledger.posted', target_id: correction, client_id: 'CL-900001' }]);
    expect(await verifyLedger(t.server.services.store.kysely)).toMatchObject({ ok: true });
  });

  it('shows a client’s balances as decimal strings to finance in the client’s entity, and to no one outside it', async () => {
    const k = t.server.services.store.kysely;
    const { clientId } = await portalClientFor(t.url).portal.registerClient.mutate(aRegistration({ firstName: 'Ledger', lastName: 'Reader', country: 'DE' }));
    const entity = (await k.selectFrom('clients').select('legal_entity').where('id', '=', clientId).executeTakeFirstOrThrow()).legal_entity;
    const mine = (kind: AccountKey['kind'], currency: string): AccountKey => ({ legalEntity: entity, ownerType: 'client', ownerId: clientId, kind, currency });
    const provider = (currency: string): AccountKey => ({ legalEntity: entity, ownerType: 'provider', ownerId: 'stripe', kind: 'clearing', currency });
    await write({ kind: 'deposit.credit', reference: 'DEP-900010', memo: 'Card deposit', lines: [{ account: provider('EUR'), amount: -125_050n }, { account: mine('available', 'EUR'), amount: 125_050n }] });
    await write({ kind: 'deposit.credit', reference: 'DEP-900011', memo: 'Bank deposit', lines: [{ account: provider('JPY'), amount: -15_000n }, { account: mine('pending', 'JPY'), amount: 15_000n }] });
    const finance = await t.login('finance');
    expect(await finance.client.ledger.balance.query({ clientId })).toEqual({
      items: [
        { currency: 'EUR', available: '1250.50', pending: '0.00', held: '0.00' },
        { currency: 'JPY', available: '0', pending: '15000', held: '0' },
      ],
    });
    await expectReason(finance.client.ledger.balance.query({ clientId: 'CL-999999' }), 'NOT_FOUND');
    // A dealer (no clients.pii) reads the same amounts: amounts are not masked.
    expect((await (await t.login('dealer')).client.ledger.balance.query({ clientId })).items[0]).toEqual({ currency: 'EUR', available: '1250.50', pending: '0.00', held: '0.00' });
  });

  it('refuses an unbalanced or single-entry posting, or a currency that is not a code, naming it, and writes nothing', async () => {
    const before = await verifyLedger(t.server.services.store.kysely);
    await expect(write({ kind: 'deposit.credit', reference: 'DEP-900002', memo: 'x', lines: [{ account: clearing(), amount: -100n }, { account: client('available'), amount: 99n }] })).rejects.toThrow(new LedgerError('posting deposit.credit DEP-900002: unbalanced in EUR by -1 minor units'));
    await expect(write({ kind: 'deposit.credit', reference: 'DEP-900002', memo: 'x', lines: [{ account: client('available'), amount: 100n }] })).rejects.toThrow(/needs two entries at least/);
    await expect(write({ kind: 'deposit.credit', reference: 'DEP-900002', memo: 'x', lines: [{ account: clearing('eur'), amount: -1n }, { account: client('available', 'eur'), amount: 1n }] })).rejects.toThrow(/"eur", not an ISO 4217 code/);
    // Two currencies, each balanced on its own: allowed (an FX conversion goes through the FX accounts).
    const fx = (currency: string): AccountKey => ({ legalEntity: 'eu', ownerType: 'fx', ownerId: 'desk', kind: 'fx', currency });
    await write({ kind: 'fx.convert', reference: 'FX-900001', memo: 'EUR to USD', lines: [{ account: client('available'), amount: -10_000n }, { account: fx('EUR'), amount: 10_000n }, { account: fx('USD'), amount: -10_850n }, { account: client('available', 'USD'), amount: 10_850n }] });
    expect(await verifyLedger(t.server.services.store.kysely)).toMatchObject({ ok: true, postings: before.postings + 1 });
  });

  it('numbers postings from many writers at once uniquely, a rolled-back posting leaving no trace but its number; an entry on no account is refused at commit', async () => {
    const refs = Array.from({ length: 40 }, (_, i) => `DEP-91${String(i).padStart(4, '0')}`);
    const ids = await Promise.all(refs.map((reference) => write({ kind: 'deposit.credit', reference, memo: 'Card deposit', lines: [{ account: clearing(), amount: -100n }, { account: client('available'), amount: 100n }] })));
    expect(new Set(ids).size).toBe(40);
    expect(ids.every((id) => /^PST-\d{6,}$/.test(id))).toBe(true);
    // A posting that rolls back (the mutation fails after it) writes nothing; on PostgreSQL its number is not reused.
    await expect(
      t.server.services.store.mutate(SYSTEM_ACTOR, async (m) => {
        await post(m, { kind: 'deposit.credit', reference: 'DEP-919999', memo: 'rolled back', lines: [{ account: clearing(), amount: -1n }, { account: client('available'), amount: 1n }] });
        throw new Error('refused after posting');
      }),
    ).rejects.toThrow('refused after posting');
    expect(await t.server.services.store.kysely.selectFrom('ledger_postings').select('id').where('reference', '=', 'DEP-919999').execute()).toEqual([]);
    const next = await write({ kind: 'deposit.credit', reference: 'DEP-919998', memo: 'after', lines: [{ account: clearing(), amount: -1n }, { account: client('available'), amount: 1n }] });
    expect(Number(next.slice(4))).toBeGreaterThan(Math.max(...ids.map((id) => Number(id.slice(4)))));
    // The database still refuses an entry whose account does not exist (checked at commit on PostgreSQL).
    await expect(
      t.server.services.store.kysely.transaction().execute(async (trx) => {
        await trx.insertInto('ledger_postings').values({ id: 'PST-999999', kind: 'x', reference: 'x', memo: 'x', corrects: null, actor_id: 'test', created_at: t.server.services.store.now() }).execute();
        await trx.insertInto('ledger_entries').values({ posting_id: 'PST-999999', account_id: 'eu:client:nobody:available:EUR', currency: 'EUR', amount: '1' }).execute();
      }),
    ).rejects.toThrow(/foreign key|FOREIGN KEY/);
    expect(await verifyLedger(t.server.services.store.kysely)).toMatchObject({ ok: true });
  });

  it('finds a stored balance changed behind the ledger’s back, and names the account', async () => {
    const k = t.server.services.store.kysely;
    const id = accountId(client('held'));
    await sql`update ledger_accounts set balance = balance + 1 where id = ${id}`.execute(k);
    const result = await verifyLedger(k);
    expect(result).toMatchObject({ ok: false, accountId: id });
    if (!result.ok) expect(result.problem).toBe(`account ${id} stores 50001 EUR minor units but its entries sum to 50000`);
    const args = ['--data-dir', t.storage.dataDir, ...(t.storage.databaseUrl ? ['--database-url', t.storage.databaseUrl] : [])];
    const cli = runTool('server/cli/ledger-verify.ts', args);
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain(`LEDGER DIFFERS at account ${id}: account ${id} stores 50001`);
    await sql`update ledger_accounts set balance = balance - 1 where id = ${id}`.execute(k);
    const intact = runTool('server/cli/ledger-verify.ts', args);
    expect(intact.status).toBe(0);
    expect(intact.stdout).toMatch(/^Ledger intact: \d+ postings, \d+ entries; the balances of \d+ accounts agree/);
  });
});
