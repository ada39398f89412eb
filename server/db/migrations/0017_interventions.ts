// MT5 accounts, interventions and the manager operations found with no case (issue 17).
//
// - `mt5_accounts`: one row per client account on MT5 (MTA-…): the account type the client chose,
//   the group, leverage and currency the entity's configuration mapped it to, the login once MT5
//   gave one (unique), and the rights, group and leverage the back office last set or confirmed:
//   the state against which changes made directly in MT5 are found. `pushed_access` says what the
//   client's status made the back office take away on MT5 (trading, or the whole account), so that
//   it is given back when the restriction ends, and only then (`…was_disabled`: it was so already,
//   by someone else's hand, and is left so). The client's initial password is
//   kept sealed (SECRETS_KEY) only until the portal collects it, once; then it is erased.
// - `interventions`: one row per case (INT-…): type, login, client, amount (signed, minor units)
//   or value (group, leverage), reason code with its label as the policy worded it, note, tier
//   with its approval slots and the policy version that chose them, the operator, and the evidence of execution: the MT5 state before and
//   after, the deal, MT5's retcode and message when it failed.
// - `intervention_approvals`: one row per approver (a person approves a case once).
// - `platform_manager_ops`: deals and account changes made on MT5 by a manager with no case, found
//   by the scan; each deal once (unique ticket); linked to a case with a reason, or escalated.
// - `platform_scan_state`: where each incremental scan of MT5 stopped.

import { sql, type Kysely } from 'kysely';
import type { Engine } from '../connect.js';

export function interventions(engine: Engine) {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('mt5_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
        .addColumn('legal_entity', 'text', (c) => c.notNull())
        .addColumn('account_type', 'text', (c) => c.notNull())
        .addColumn('mt5_group', 'text', (c) => c.notNull())
        .addColumn('leverage', 'integer', (c) => c.notNull().check(sql`leverage > 0`))
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('login', bigint, (c) => c.unique())
        .addColumn('rights', 'integer', (c) => c.notNull())
        .addColumn('initial_password_enc', 'text')
        .addColumn('pushed_access', 'text', (c) => c.check(sql`pushed_access in ('trading_disabled', 'disabled', 'trading_was_disabled', 'was_disabled')`))
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('provisioning', 'active', 'failed', 'closed')`))
        .addColumn('status_reason', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text')
        .addColumn('policy_ref', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('mt5_accounts_client').on('mt5_accounts').columns(['client_id']).execute();
      await db.schema.createIndex('mt5_accounts_status').on('mt5_accounts').columns(['status', 'next_attempt_at']).execute();

      await db.schema
        .createTable('interventions')
        .addColumn('ref', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('balance_correction', 'credit_in', 'credit_out', 'reactivate', 'disable_trading', 'enable_trading', 'change_group', 'change_leverage', 'reset_permissions')`))
        .addColumn('login', bigint, (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
        .addColumn('legal_entity', 'text', (c) => c.notNull())
        .addColumn('amount', bigint, (c) => c.check(sql`amount <> 0`))
        .addColumn('currency', 'text')
        .addColumn('base_amount', bigint)
        .addColumn('base_currency', 'text')
        .addColumn('value', 'text')
        .addColumn('reason_code', 'text', (c) => c.notNull())
        .addColumn('reason_label', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending_approval', 'approved', 'executing', 'executed', 'failed', 'rejected')`))
        .addColumn('status_reason', 'text')
        .addColumn('tier_json', 'text', (c) => c.notNull())
        .addColumn('policy_ref', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('rejected_by', 'text')
        .addColumn('executed_by', 'text')
        .addColumn('operation_id', 'text', (c) => c.unique())
        .addColumn('deal_ticket', 'text')
        .addColumn('deal_json', 'text')
        .addColumn('before_json', 'text')
        .addColumn('after_json', 'text')
        .addColumn('retcode', 'integer')
        .addColumn('message', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text')
        .addColumn('sla_due_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('executed_at', 'text')
        .addCheckConstraint('interventions_money', sql`(amount is null) = (currency is null)`)
        .execute();
      await db.schema.createIndex('interventions_status').on('interventions').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('interventions_client').on('interventions').columns(['client_id', 'created_at']).execute();
      await db.schema.createIndex('interventions_login').on('interventions').columns(['login', 'created_at']).execute();

      await db.schema
        .createTable('intervention_approvals')
        .addColumn('case_ref', 'text', (c) => c.notNull().references('interventions.ref'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('roles_json', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('intervention_approvals_pk', ['case_ref', 'user_id'])
        .execute();

      await db.schema
        .createTable('platform_manager_ops')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('balance', 'credit', 'charge', 'correction', 'bonus', 'group', 'leverage', 'rights')`))
        .addColumn('deal_ticket', 'text', (c) => c.unique())
        .addColumn('login', bigint, (c) => c.notNull())
        .addColumn('client_id', 'text')
        .addColumn('legal_entity', 'text')
        .addColumn('amount', bigint)
        .addColumn('currency', 'text')
        .addColumn('before_value', 'text')
        .addColumn('after_value', 'text')
        .addColumn('dealer', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('unlinked', 'linked', 'escalated')`))
        .addColumn('case_ref', 'text')
        .addColumn('reason', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'text')
        .addColumn('alert_id', 'text')
        .addColumn('found_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('platform_manager_ops_status').on('platform_manager_ops').columns(['status', 'at']).execute();

      await db.schema
        .createTable('platform_scan_state')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('cursor', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
