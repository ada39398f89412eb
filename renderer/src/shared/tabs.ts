// Queue tabs: each a filter the host ANDs with the user's own (mine, unassigned, escalated, all
// open, closed), counted for the tab bar and, for the view's main tab, for the navigation badge.

import type { FilterModel } from '../../../shared/desktop/grid.js';
import type { Profile } from '../../../main/host/channels.js';

export interface QueueTab {
  id: string;
  label: string;
  scope: FilterModel;
}

/** Tabs of a view for the signed-in user; `main` is the open work the navigation badge counts. */
export interface QueueTabs {
  tabs: (user: Profile) => QueueTab[];
  main: string;
}

/** A column holding one of `values`; `null` stands for an empty cell. */
export function oneOf(column: string, values: ReadonlyArray<string | null>): FilterModel {
  return { [column]: { filterType: 'set', values: [...values] } };
}
