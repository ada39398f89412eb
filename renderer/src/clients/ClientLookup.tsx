// The client lookup for those who answer clients rather than review them (support, finance,
// dealing): find a caller by client id, a case reference or their whole e-mail address, and see
// their status, their KYC case's state and what they may do, with personal data masked as their
// roles require.

import { ClientSearch } from './ClientSearch.js';

export function ClientLookup({ onOpen }: { onOpen: (clientId: string) => void }) {
  return (
    <section className="lookup" aria-label="Client lookup">
      <h2>Client lookup</h2>
      <p className="hint">Find a client by client id (CL-…), a case reference (KYC-…, SCR-…, ALR-…) or their whole e-mail address. You see their status, the state of their KYC case and what they may do now.</p>
      <ClientSearch onOpen={onOpen} wide />
    </section>
  );
}
