// A new intervention request: the type decides what else is asked (an amount in the account's
// currency, a group, a leverage), the reason codes offered are the policy's for that type, and the
// note says what happened. The server checks the login, the amount and the group against MT5 and
// answers in words; nothing is written until every check passes.

import { useEffect, useRef, useState } from 'react';
import { INTERVENTION_TYPE_LABELS, INTERVENTION_TYPES, isMoneyType, type InterventionType } from '../../../shared/platform/interventions.js';
import { ActionForm } from '../shared/ActionForm.js';
import { PaneStatus, useHostAction, useHostQuery } from '../shared/host.js';
import { policyWords } from './InterventionPane.js';

export function RequestForm({ offline, onDone, onCancel }: { offline: boolean; onDone: (caseRef: string) => void; onCancel: () => void }) {
  const codes = useHostQuery('interventions.reasonCodes', {}, []);
  const request = useHostAction('interventions.request');
  const [type, setType] = useState<InterventionType>('balance_correction');
  const [login, setLogin] = useState('');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [value, setValue] = useState('');
  const [reasonCode, setReasonCode] = useState('');
  const [note, setNote] = useState('');
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);
  const offered = (codes.data?.reasonCodes ?? []).filter((c) => c.types.includes(type));
  useEffect(() => {
    if (!offered.some((c) => c.code === reasonCode)) setReasonCode(offered[0]?.code ?? '');
  }, [type, codes.data]);
  const money = isMoneyType(type);
  const needsValue = type === 'change_group' || type === 'change_leverage';
  const submit = async () => {
    const answer = await request.run({ type, login: Number(login), reasonCode, note: note.trim(), ...(money ? { amount: amount.trim(), currency: currency.trim().toUpperCase() } : {}), ...(needsValue ? { value: value.trim() } : {}) });
    if (answer) onDone(answer.caseRef);
  };
  return (
    <ActionForm label="Request an MT5 intervention" className="decide request-form" onSubmit={() => void submit()}>
      <label>
        Type
        <select ref={first} value={type} onChange={(e) => setType(e.target.value as InterventionType)}>
          {INTERVENTION_TYPES.map((t) => (
            <option key={t} value={t}>
              {INTERVENTION_TYPE_LABELS[t]}
            </option>
          ))}
        </select>
      </label>
      <label>
        MT5 login
        <input inputMode="numeric" value={login} onChange={(e) => setLogin(e.target.value.replace(/\D/g, ''))} />
      </label>
      {money && (
        <>
          <label>
            Amount{type === 'balance_correction' ? ' (negative takes money away)' : ''}
            <input value={amount} onChange={(e) => setAmount(e.target.value)} placeholder="250.00" />
          </label>
          <label>
            Currency (the account’s)
            <input value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value)} />
          </label>
        </>
      )}
      {needsValue && (
        <label>
          {type === 'change_group' ? 'New MT5 group' : 'New leverage (N of 1:N)'}
          <input value={value} onChange={(e) => setValue(e.target.value)} placeholder={type === 'change_group' ? 'real\\eu\\professional' : '20'} />
        </label>
      )}
      <label>
        Reason
        <select value={reasonCode} onChange={(e) => setReasonCode(e.target.value)}>
          {offered.map((c) => (
            <option key={c.code} value={c.code}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Note: what happened, and why this is the remedy
        <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="submit" disabled={offline || request.busy || !login || note.trim().length < 10 || !reasonCode} title="Ctrl+Enter">
          Request
        </button>
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {codes.data && <p className="hint">Reasons from {policyWords(codes.data.policyRef)}. A note needs at least 10 characters.</p>}
      <PaneStatus loading={false} error={request.error ?? codes.error} what="the request" />
    </ActionForm>
  );
}
