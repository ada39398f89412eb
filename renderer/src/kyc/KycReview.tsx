// The KYC queue: open cases in the shared queue view, the case pane beside the grid.

import { QueueView } from '../shared/QueueView.js';
import { CasePane } from './CasePane.js';
import { KYC_COLUMNS } from './columns.js';
import { KYC_TABS } from './tabs.js';
import { clientEvidence } from '../shared/evidence-column.js';

export function KycReview({ offline }: { offline: boolean }) {
  return <QueueView view="kyc" evidence={clientEvidence} title="KYC review" columns={KYC_COLUMNS} paneClass="wide" tabs={KYC_TABS} defaultSort={[{ colId: 'createdAt', sort: 'desc' }]} detail={(row) => <CasePane row={row} offline={offline} />} />;
}
