// Working an alert on both engines: taken and acknowledged by an officer, closed only by the role
// it was raised for with a reason code, a note and the suspicious-activity report decision, each
// step audited and in the desktop's sync feed; out-of-entity officers and second closes refused.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { describeEachEngine, expectReason, startTestServer, type TestServer } from '../../testing/harness.js';
import { raiseAlert } from './service.js';

describeEachEngine('alerts are worked', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  const raise = (legalEntity: string) =>
    t.server.services.store.mutate(SYSTEM_ACTOR, (m) =>
      raiseAlert(m, { kind: 'sanctions_match', legalEntity, clientId: null, severity: 'critical', forRole: 'mlro', summary: 'Confirmed sanctions match (test)', details: { caseId: 'SCR-000001', entryKey: '36' }, sourceRef: 'SCR-000001' }),
    );

  it('is taken and acknowledged by an officer, and closed by the MLRO with the report decision', async () => {
    const id = await raise('global');
    const officer = await t.login('compliance');
    const mlro = await t.login('mlro');
    expect((await officer.client.alerts.get.query({ id })).availableActions).toEqual(['assign', 'acknowledge']);
    expect((await mlro.client.alerts.get.query({ id })).availableActions).toEqual(['assign', 'acknowledge', 'close']);

    const acknowledged = await officer.client.alerts.acknowledge.mutate({ id, note: 'Looking at it' });
    expect(acknowledged).toMatchObject({ status: 'acknowledged', assignee: 'compliance', acknowledged: { by: 'compliance' } });
    await expectReason(officer.client.alerts.acknowledge.mutate({ id }), 'INVALID_TRANSITION');
    const refused = await expectReason(officer.client.alerts.close.mutate({ id, reasonCode: 'action_taken', note: 'Client restricted by the match', sar: { decision: 'not_filed', reason: 'Restriction applied at once' } }), 'FORBIDDEN_PERMISSION');
    expect(refused.message).toMatch(/raised for the mlro; only they close it/);

    const noReference = await expectReason(mlro.client.alerts.close.mutate({ id, reasonCode: 'reported', note: 'Reported to the FIU', sar: { decision: 'filed', reason: 'Designated person held funds' } }), 'VALIDATION_FAILED');
    expect(noReference.message).toBe('Reference: give the reference of the filed report.');
    const closed = await mlro.client.alerts.close.mutate({ id, reasonCode: 'reported', note: 'Reported to the FIU; account frozen', sar: { decision: 'filed', reason: 'Designated person held funds', reference: 'FIU-2026-0042' } });
    expect(closed).toMatchObject({ status: 'closed', closed: { by: 'mlro', reasonCode: 'reported', sar: { decision: 'filed', reference: 'FIU-2026-0042' } } });
    expect((await mlro.client.alerts.get.query({ id })).availableActions).toEqual([]);
    await expectReason(mlro.client.alerts.close.mutate({ id, reasonCode: 'duplicate', note: 'Closing it a second time', sar: { decision: 'not_filed', reason: 'Already reported above' } }), 'INVALID_TRANSITION');

    const events = await t.server.services.store.kysely.selectFrom('audit_events').select(['action', 'actor_name', 'case_ref', 'after_json', 'reason']).where('target_id', '=', id).orderBy('seq').execute();
    expect(events.map((e) => [e.action, e.actor_name, e.case_ref])).toEqual([
      ['alert.raised', SYSTEM_ACTOR.name, 'SCR-000001'],
      ['alert.acknowledged', 'compliance', 'SCR-000001'],
      ['alert.closed', 'mlro', 'SCR-000001'],
    ]);
    expect(JSON.parse(events[2]!.after_json!)).toMatchObject({ reasonCode: 'reported', sarDecision: 'filed', sarReference: 'FIU-2026-0042' });
    expect(events[2]!.reason).toBe('Reported to the FIU; account frozen');

    // The desktop's alerts view carries the status and who took it.
    const pulled = await mlro.client.sync.pull.query({ cursor: null, limit: 5000 });
    expect(pulled.upserts.alerts?.find((r) => r.id === id)).toMatchObject({ status: 'closed', assignee: 'compliance' });
  });

  it('refuses an officer outside the alert’s entity, and takes an alert for its taker', async () => {
    const id = await raise('global');
    const eu = await t.login('compliance.eu');
    await expectReason(eu.client.alerts.assignToMe.mutate({ id }), 'OUT_OF_ENTITY_SCOPE');
    const officer = await t.login('compliance');
    expect(await officer.client.alerts.assignToMe.mutate({ id })).toMatchObject({ assignee: 'compliance', status: 'open' });
    await expectReason(officer.client.alerts.assignToMe.mutate({ id }), 'INVALID_TRANSITION');
  });
});
