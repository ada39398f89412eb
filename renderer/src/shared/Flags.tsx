// What must not be missed (shared/clients/flags.ts) as the desktop shows it: a badge of text on a
// colour, in grid cells and at the top of panes. Colour is never the only sign.

import { FLAG_LABELS, FLAGS, type Flag } from '../../../shared/clients/flags.js';

const BY_LABEL = new Map(FLAGS.map((f) => [FLAG_LABELS[f], f]));

export function FlagBadges({ flags }: { flags: readonly Flag[] }) {
  if (flags.length === 0) return null;
  return (
    <span className="flags">
      {flags.map((f) => (
        <span key={f} className={`flag flag-${f}`}>
          {FLAG_LABELS[f]}
        </span>
      ))}
    </span>
  );
}

/** The grid's `flags` cell ("Sanctions match · Restricted") as badges. */
export function FlagCell({ value }: { value: unknown }) {
  const flags = String(value ?? '')
    .split(' · ')
    .map((label) => BY_LABEL.get(label))
    .filter((f): f is Flag => f !== undefined);
  return <FlagBadges flags={flags} />;
}

/** The banner at the top of a pane: what the flags mean for the person reading it. */
export function FlagBanner({ flags }: { flags: readonly Flag[] }) {
  if (flags.length === 0) return null;
  const serious = flags.includes('sanctions_match') || flags.includes('restricted');
  return (
    <div className={serious ? 'flag-banner serious' : 'flag-banner'} role="note" aria-label="Flags">
      <FlagBadges flags={flags} />
      {flags.includes('sanctions_match') && <span> Confirmed sanctions match: no approval, no funds out, no trading access; the MLRO decides what happens next.</span>}
      {!flags.includes('sanctions_match') && flags.includes('restricted') && <span> The client is restricted: what they may do is limited until the restriction is resolved.</span>}
    </div>
  );
}
