// AG Grid's filter and sort models as the host accepts them (Community filters: text, number,
// date; single or combined conditions). Validated with zod at the IPC boundary; anything else is
// refused, never interpolated.

import { z } from 'zod';

export const TEXT_OPS = ['equals', 'notEqual', 'contains', 'notContains', 'startsWith', 'endsWith', 'blank', 'notBlank'] as const;
export const NUMBER_OPS = ['equals', 'notEqual', 'lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual', 'inRange', 'blank', 'notBlank'] as const;
export const DATE_OPS = ['equals', 'notEqual', 'lessThan', 'greaterThan', 'inRange', 'blank', 'notBlank'] as const;

const textCondition = z.object({ filterType: z.literal('text'), type: z.enum(TEXT_OPS), filter: z.string().max(500).nullish() });
const numberCondition = z.object({ filterType: z.literal('number'), type: z.enum(NUMBER_OPS), filter: z.number().finite().nullish(), filterTo: z.number().finite().nullish() });
// AG Grid sends dates as 'YYYY-MM-DD hh:mm:ss'; only the day counts (UTC).
const gridDate = z.string().regex(/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/, 'a date like 2026-03-02');
const dateCondition = z.object({ filterType: z.literal('date'), type: z.enum(DATE_OPS), dateFrom: gridDate.nullish(), dateTo: gridDate.nullish() });

/** One of a list of values (a status, an entity, an assignee): `null` stands for an empty cell. Text columns only. */
const setCondition = z.object({ filterType: z.literal('set'), values: z.array(z.string().min(1).max(200).nullable()).max(200) });

export const conditionSchema = z.discriminatedUnion('filterType', [textCondition, numberCondition, dateCondition, setCondition]);

const combined = <T extends z.ZodTypeAny>(c: T, filterType: string) =>
  z.object({ filterType: z.literal(filterType), operator: z.enum(['AND', 'OR']), conditions: z.array(c).min(1).max(10) });

export const columnFilterSchema = z.union([
  conditionSchema,
  combined(textCondition, 'text'),
  combined(numberCondition, 'number'),
  combined(dateCondition, 'date'),
]);

export const filterModelSchema = z.record(z.string().max(64), columnFilterSchema);
export const sortModelSchema = z.array(z.object({ colId: z.string().max(64), sort: z.enum(['asc', 'desc']) })).max(5);

export type Condition = z.infer<typeof conditionSchema>;
export type ColumnFilter = z.infer<typeof columnFilterSchema>;
export type FilterModel = z.infer<typeof filterModelSchema>;
export type SortModel = z.infer<typeof sortModelSchema>;

export type ColumnType = 'text' | 'number' | 'date';

export interface ViewColumn {
  type: ColumnType;
  /** Indexed in the cache (sortable and filterable without a scan). */
  indexed?: boolean;
  /** Part of the quick-filter full-text index. */
  search?: boolean;
}

export interface ViewDefinition {
  name: string;
  /** The primary key column, the last sort key of every query so that paging is stable. */
  key: string;
  columns: Record<string, ViewColumn>;
}
