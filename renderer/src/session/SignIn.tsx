// Sign-in with password and TOTP; on an account without an authenticator, enrolment with the QR
// code and the secret shown once.

import QRCode from 'qrcode';
import { useEffect, useState, type FormEvent } from 'react';
import { useAppDispatch, useAppSelector } from '../store.js';
import { cancelEnrolment, confirmEnrolment, signIn, startEnrolment } from './slice.js';

export function SignIn() {
  const dispatch = useAppDispatch();
  const s = useAppSelector((st) => st.session);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [qr, setQr] = useState<string | null>(null);

  useEffect(() => {
    if (s.enrolment) void QRCode.toDataURL(s.enrolment.otpauthUri, { margin: 1, width: 200 }).then(setQr);
    else setQr(null);
  }, [s.enrolment]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (s.enrolment) void dispatch(confirmEnrolment({ enrolmentId: s.enrolment.enrolmentId, totp }));
    else void dispatch(signIn({ username, password, ...(totp ? { totp } : {}) }));
  };

  return (
    <div className="signin">
      <form onSubmit={submit} aria-label="Sign in">
        <h1>FX Back Office</h1>
        {!s.enrolment && (
          <>
            <label>
              Username
              <input name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
            </label>
          </>
        )}
        {s.enrolment && (
          <div className="enrol">
            <p>Scan this code with your authenticator app, or type the secret. It is shown only now.</p>
            {qr && <img src={qr} alt="Authenticator QR code" width={200} height={200} />}
            <code className="secret">{s.enrolment.secret}</code>
          </div>
        )}
        <label>
          Authentication code
          <input name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" maxLength={6} placeholder="6 digits" value={totp} onChange={(e) => setTotp(e.target.value.replace(/\D/g, ''))} />
        </label>
        {s.needsCode && !totp && <p className="hint">Enter the 6-digit code from your authenticator app.</p>}
        {s.error && (
          <p className="error" role="alert">
            {s.error}
          </p>
        )}
        <button type="submit" disabled={s.busy}>
          {s.enrolment ? 'Confirm and sign in' : 'Sign in'}
        </button>
        {s.needsEnrolment && !s.enrolment && (
          <button type="button" className="link" onClick={() => void dispatch(startEnrolment({ username, password }))}>
            Set up my authenticator
          </button>
        )}
        {s.enrolment && (
          <button type="button" className="link" onClick={() => dispatch(cancelEnrolment())}>
            Cancel
          </button>
        )}
      </form>
    </div>
  );
}
