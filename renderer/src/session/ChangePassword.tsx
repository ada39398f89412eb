// A password set by an administrator must be replaced before anything else: the server refuses
// every other call until it is.

import { useState, type FormEvent } from 'react';
import { useAppDispatch, useAppSelector } from '../store.js';
import { changePassword, signOut } from './slice.js';

export function ChangePassword() {
  const dispatch = useAppDispatch();
  const s = useAppSelector((st) => st.session);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const mismatch = repeat.length > 0 && next !== repeat;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (next !== repeat) return;
    void dispatch(changePassword({ currentPassword: current, newPassword: next }));
  };

  return (
    <div className="signin">
      <form onSubmit={submit} aria-label="Change password">
        <h1>Choose your password</h1>
        <p className="hint">Your password was set by an administrator. Choose your own before you continue: at least 12 characters, with three of lower case, upper case, digits and symbols.</p>
        <label>
          Current password
          <input type="password" autoComplete="current-password" autoFocus value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </label>
        <label>
          New password
          <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required />
        </label>
        <label>
          New password again
          <input type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} required />
        </label>
        {mismatch && <p className="error">The two new passwords differ.</p>}
        {s.error && (
          <p className="error" role="alert">
            {s.error}
          </p>
        )}
        <button type="submit" disabled={s.busy || mismatch}>
          Change password
        </button>
        <button type="button" className="link" onClick={() => void dispatch(signOut())}>
          Sign out
        </button>
      </form>
    </div>
  );
}
