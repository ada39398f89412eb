// Access administration: the staff list, and for one person their roles in force (with end dates)
// and the requests an administrator makes about them: grant a role (with an end date, covering for
// someone), revoke one, reset the password or the authenticator, disable or re-enable. Every
// request goes to a second administrator (maker-checker); the form warns before a grant that breaks
// segregation of duties, and the approver reads the same warning.

import { useEffect, useRef, useState } from 'react';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { ROLE_LABELS, ROLES, roleLabel, type Role } from '../../../shared/access/permissions.js';
import { sodWarnings } from '../../../shared/access/sod.js';
import { labelCase } from '../../../shared/labels.js';
import { PaneStatus, useHostAction, useHostQuery } from '../shared/host.js';
import { notify } from '../shared/notices.js';
import { useAppDispatch, useAppSelector } from '../store.js';
import { ActionForm } from '../shared/ActionForm.js';

type Person = ChannelOutput<'access.users'>['items'][number];
type Request = 'grant' | 'resetPassword' | 'resetMfa' | 'status' | null;

/** The end of a chosen day (UTC) as the server's ISO time. */
const endOfDay = (date: string) => `${date}T23:59:59.999Z`;

function GrantForm({ person, people, entities, onDone }: { person: Person; people: Person[]; entities: Array<{ id: string; name: string }>; onDone: (text: string) => void }) {
  const grant = useHostAction('access.grantRole');
  const [role, setRole] = useState<Role>('support');
  const [entity, setEntity] = useState(entities[0]?.id ?? '');
  const [until, setUntil] = useState('');
  const [coverFor, setCoverFor] = useState('');
  const [reason, setReason] = useState('');
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);
  const warnings = sodWarnings(person.grants, { role });
  const submit = async () => {
    const r = await grant.run({ userId: person.id, role, legalEntity: entity, reason, ...(until ? { endsAt: endOfDay(until) } : {}), ...(coverFor ? { coverFor } : {}) });
    if (r) onDone(`${ROLE_LABELS[role]} in ${entity} for ${person.username} requested (${r.approvalId}); a second administrator must approve it`);
  };
  return (
    <ActionForm label="Grant a role" onSubmit={() => void submit()}>
      <label>
        Role
        <select ref={first} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Legal entity
        <select value={entity} onChange={(e) => setEntity(e.target.value)}>
          {entities.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name} ({e.id})
            </option>
          ))}
        </select>
      </label>
      <label>
        Until (last day, UTC; empty for no end)
        <input type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
      </label>
      <label>
        Covering for (needs an end date)
        <select value={coverFor} onChange={(e) => setCoverFor(e.target.value)}>
          <option value="">nobody</option>
          {people
            .filter((p) => p.id !== person.id)
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.displayName} ({p.username})
              </option>
            ))}
        </select>
      </label>
      <label>
        Reason
        <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      {warnings.map((w) => (
        <p key={w} className="banner notice" role="note">
          {w}
        </p>
      ))}
      <div className="buttons">
        <button type="submit" disabled={grant.busy}>
          Request the grant
        </button>
      </div>
      <PaneStatus loading={false} error={grant.error} what={person.username} />
    </ActionForm>
  );
}

function ReasonForm<C extends 'access.resetPassword' | 'access.resetMfa' | 'access.setUserStatus'>({ channel, label, input, onDone }: { channel: C; label: string; input: (reason: string) => Parameters<ReturnType<typeof useHostAction<C>>['run']>[0]; onDone: (text: string) => void }) {
  const action = useHostAction(channel);
  const [reason, setReason] = useState('');
  const first = useRef<HTMLTextAreaElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <ActionForm label={label} onSubmit={() => void action.run(input(reason)).then((r) => r && onDone(`${label}: requested (${(r as { approvalId: string }).approvalId}); a second administrator must approve it`))}>
      <label>
        Reason
        <textarea ref={first} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="submit" disabled={action.busy}>
          Request: {label.toLowerCase()}
        </button>
      </div>
      <PaneStatus loading={false} error={action.error} what={label} />
    </ActionForm>
  );
}

function PersonPane({ person, people, entities, reload }: { person: Person; people: Person[]; entities: Array<{ id: string; name: string }>; reload: () => Promise<void> }) {
  const dispatch = useAppDispatch();
  const me = useAppSelector((s) => s.session.user);
  const revoke = useHostAction('access.revokeRole');
  const [request, setRequest] = useState<Request>(null);
  useEffect(() => setRequest(null), [person.id]);
  const done = async (text: string) => {
    dispatch(notify(text));
    setRequest(null);
    await reload();
  };
  const self = me?.id === person.id;
  return (
    <div className="person">
      <h3>
        {person.displayName} · {person.username} · {labelCase(person.status)}
      </h3>
      <p className="hint">
        {person.mfaEnrolled ? 'Authenticator enrolled' : 'No authenticator yet'} · {person.locked ? `locked until ${person.lockedUntil}` : 'not locked'} · last sign-in {person.lastLoginAt?.replace('T', ' ').slice(0, 16) ?? 'never'}
      </p>
      <h4>Roles in force</h4>
      {person.grants.length === 0 && <p className="hint">No role: this person sees nothing.</p>}
      <ul className="grants">
        {person.grants.map((g) => (
          <li key={`${g.role}|${g.legalEntity}`}>
            {roleLabel(g.role)} in {g.legalEntity}
            {g.endsAt ? ` until ${g.endsAt.slice(0, 10)}` : ''}
            {!self && (
              <button
                className="link"
                disabled={revoke.busy}
                onClick={() =>
                  void revoke.run({ userId: person.id, role: g.role as Role, legalEntity: g.legalEntity, reason: `Revoked from the access view by ${me?.username ?? 'an administrator'}` }).then((r) => r && done(`Revoking ${roleLabel(g.role)} in ${g.legalEntity} from ${person.username}: requested (${r.approvalId})`))
                }
              >
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <PaneStatus loading={false} error={revoke.error} what={person.username} />
      {self ? (
        <p className="hint">You cannot make requests about yourself; another administrator does.</p>
      ) : (
        <div className="buttons" role="group" aria-label="Requests">
          <button onClick={() => setRequest('grant')}>Grant a role…</button>
          <button onClick={() => setRequest('resetPassword')}>Reset password…</button>
          <button onClick={() => setRequest('resetMfa')}>Reset authenticator…</button>
          <button onClick={() => setRequest('status')}>{person.status === 'active' ? 'Disable…' : 'Re-enable…'}</button>
        </div>
      )}
      {request === 'grant' && <GrantForm person={person} people={people} entities={entities} onDone={(t) => void done(t)} />}
      {request === 'resetPassword' && <ReasonForm channel="access.resetPassword" label="Reset the password" input={(reason) => ({ userId: person.id, reason })} onDone={(t) => void done(t)} />}
      {request === 'resetMfa' && <ReasonForm channel="access.resetMfa" label="Reset the authenticator" input={(reason) => ({ userId: person.id, reason })} onDone={(t) => void done(t)} />}
      {request === 'status' && (
        <ReasonForm channel="access.setUserStatus" label={person.status === 'active' ? 'Disable the user' : 'Re-enable the user'} input={(reason) => ({ userId: person.id, status: person.status === 'active' ? 'disabled' : 'active', reason })} onDone={(t) => void done(t)} />
      )}
    </div>
  );
}

function CreateUser({ onDone }: { onDone: (text: string) => void }) {
  const create = useHostAction('access.createUser');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  return (
    <ActionForm className="decide create-user" label="Create a user" onSubmit={() => void create.run({ username, displayName, password }).then((r) => r && onDone(`${username} created; they enrol an authenticator and change the password at first sign-in. Grant them a role next.`))}>
      <label>
        Username
        <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
      </label>
      <label>
        Name
        <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
      </label>
      <label>
        Initial password
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
      </label>
      <button type="submit" disabled={create.busy}>
        Create
      </button>
      <PaneStatus loading={false} error={create.error} what="the new user" />
    </ActionForm>
  );
}

export function People() {
  const dispatch = useAppDispatch();
  const people = useHostQuery('access.users', {}, []);
  const entities = useHostQuery('access.entities', {}, []);
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const list = people.data?.items ?? [];
  const person = list.find((p) => p.id === selected) ?? null;
  return (
    <div className="people">
      <div className="people-list">
        <div className="toolbar">
          <h2>People</h2>
          <button onClick={() => setCreating((c) => !c)}>{creating ? 'Cancel' : 'Create a user…'}</button>
        </div>
        {creating && (
          <CreateUser
            onDone={(t) => {
              dispatch(notify(t));
              setCreating(false);
              void people.reload();
            }}
          />
        )}
        {!people.data && <PaneStatus loading error={people.error} what="the staff list" />}
        <ul role="listbox" aria-label="Staff">
          {list.map((p) => (
            <li key={p.id} role="option" aria-selected={p.id === selected} tabIndex={0} className={p.id === selected ? 'active' : undefined} onClick={() => setSelected(p.id)} onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), setSelected(p.id))}>
              <strong>{p.displayName}</strong> <span className="mono">{p.username}</span> · {p.grants.length ? p.grants.map((g) => `${roleLabel(g.role)} (${g.legalEntity})`).join(', ') : 'no role'}
              {p.status !== 'active' ? ' · disabled' : ''}
            </li>
          ))}
        </ul>
      </div>
      <aside className="detail" aria-label="Person">
        {person ? <PersonPane person={person} people={list} entities={(entities.data?.items ?? []).map((e) => ({ id: e.id, name: e.name }))} reload={people.reload} /> : <p className="hint">Choose a person to see their roles and make a request about them.</p>}
      </aside>
    </div>
  );
}
