import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigFileUnreadable, ConfigInvalid } from '../errors/index.ts';
import { defaults, type Settings } from './defaults.ts';
import { settingsSchema } from './schema.ts';

/** Environment variables that configure the loader itself or the tests, not a setting. */
const NON_SETTING_VARIABLES = new Set([
  'CADUCEE_CONFIG',
  'CADUCEE_TEST_DATABASE_URL',
  'CADUCEE_TEST_REQUIRE_PG',
]);

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Working directory used to find `caducee.config.json` and resolve relative paths. */
  cwd?: string;
  /** Overrides applied last (tests, CLI flags). */
  overrides?: DeepPartial<Settings>;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface LoadedSettings {
  settings: Settings;
  /** Where each leaf came from: `default`, the config file path, or the variable name. */
  origins: Record<string, string>;
}

/** Environment variable name of a settings path, e.g. `idp.url` → `CADUCEE_IDP_URL`. */
export function variableName(settingPath: string): string {
  return `CADUCEE_${settingPath
    .split('.')
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
    .join('_')}`;
}

function leaves(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, child]) => leaves(child, prefix ? `${prefix}.${key}` : key));
  }
  return [[prefix, value]];
}

function setPath(target: Record<string, unknown>, settingPath: string, value: unknown): void {
  const parts = settingPath.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

function merge(
  base: Record<string, unknown>,
  layer: unknown,
  origin: string,
  origins: Record<string, string>,
) {
  for (const [leafPath, value] of leaves(layer)) {
    if (value === undefined) continue;
    setPath(base, leafPath, value);
    origins[leafPath] = origin;
  }
}

/** Environment values are strings: read them as the type of the default they replace. */
function parseVariable(raw: string, example: unknown): unknown {
  if (typeof example === 'number') return raw.trim() === '' ? Number.NaN : Number(raw);
  if (typeof example === 'boolean') return ['1', 'true', 'yes', 'oui'].includes(raw.trim().toLowerCase());
  return raw;
}

/**
 * Loads settings as defaults < config file < `CADUCEE_*` environment < overrides, validates
 * them and throws CONFIG_INVALID listing every problem at once.
 */
export function loadSettings(options: LoadOptions = {}): LoadedSettings {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const origins: Record<string, string> = {};
  const merged: Record<string, unknown> = structuredClone(defaults);
  for (const [leafPath] of leaves(defaults)) origins[leafPath] = 'default';
  const problems: string[] = [];

  const explicitFile = env.CADUCEE_CONFIG;
  const file = explicitFile ? path.resolve(cwd, explicitFile) : path.join(cwd, 'caducee.config.json');
  let fileText: string | undefined;
  try {
    fileText = readFileSync(file, 'utf8');
  } catch (error) {
    if (explicitFile) throw ConfigFileUnreadable({ file, reason: (error as Error).message });
  }
  if (fileText !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fileText);
    } catch (error) {
      throw ConfigFileUnreadable({ file, reason: (error as Error).message });
    }
    merge(merged, parsed, file, origins);
  }

  const known = new Map(
    leaves(defaults).map(([leafPath, example]) => [variableName(leafPath), { leafPath, example }]),
  );
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('CADUCEE_') || raw === undefined || NON_SETTING_VARIABLES.has(name)) continue;
    const setting = known.get(name);
    if (!setting) {
      problems.push(`${name} : variable inconnue (voir \`caducee config print\` pour les noms valides)`);
      continue;
    }
    setPath(merged, setting.leafPath, parseVariable(raw, setting.example));
    origins[setting.leafPath] = name;
  }
  if (options.overrides) merge(merged, options.overrides, 'override', origins);

  const result = settingsSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const leafPath = issue.path.join('.');
      const where = origins[leafPath] && origins[leafPath] !== 'default' ? ` (${origins[leafPath]})` : '';
      problems.push(`${leafPath || 'racine'}${where} : ${issue.message}`);
    }
  }
  if (problems.length > 0) throw ConfigInvalid({ problems });
  const settings = result.data as Settings;
  settings.dataDir = path.resolve(cwd, settings.dataDir);
  return { settings, origins };
}

const SECRET_PATTERN = /secret|password|token|key$/i;

/** The effective settings with secrets and URL credentials hidden, for `caducee config print`. */
export function redactedSettings(
  loaded: LoadedSettings,
): Array<{ setting: string; variable: string; value: unknown; origin: string }> {
  return leaves(loaded.settings).map(([leafPath, value]) => {
    let shown = value;
    if (typeof value === 'string' && value !== '') {
      if (SECRET_PATTERN.test(leafPath)) shown = '********';
      else if (/^[a-z]+:\/\//.test(value)) shown = value.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:********@');
    }
    return {
      setting: leafPath,
      variable: variableName(leafPath),
      value: shown,
      origin: loaded.origins[leafPath] ?? 'default',
    };
  });
}
