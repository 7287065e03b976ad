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
export { type Line, type LineBatch, MAX_LINE_BYTES, readLineBatches, readLines } from './lines.ts';
export {
  type ExtractRow,
  type ReadOptions,
  readExtractBatches,
  readExtractRows,
  splitFields,
} from './rows.ts';
export {
  type ExtractSource,
  kindOfFile,
  openSource,
  PERSON_KINDS,
  resolveSources,
  type SourceLocation,
} from './sources.ts';
