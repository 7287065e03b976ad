export { defaults, type Settings } from './defaults.ts';
export {
  type DeepPartial,
  type LoadedSettings,
  type LoadOptions,
  loadSettings,
  redactedSettings,
  variableName,
} from './load.ts';
