export {
  asRecord,
  COLUMNS,
  type ColumnSpec,
  type ExtractKind,
  mapColumns,
  SITUATION_KEYS,
  STRUCTURE_KEYS,
} from './columns.ts';
export { normalizeHeader } from './header.ts';
export { type Line, MAX_LINE_BYTES, readLines } from './lines.ts';
export { type ExtractRow, type ReadOptions, readExtractRows, splitFields } from './rows.ts';
export { type ExtractSource, kindOfFile, PERSON_KINDS, resolveSources } from './sources.ts';
