import path from 'node:path';
import { loadOrCreateKey, type Settings } from '../../platform/index.ts';

/**
 * The key that encrypts client secrets in the database lives outside it, next to the other
 * secrets of the deployment (`<data>/secrets`, shared by every node): a copy of the database
 * alone does not give the relying parties' secrets. Made on first use.
 */
export function clientSecretKeyFile(settings: Pick<Settings, 'dataDir'>): string {
  return path.join(settings.dataDir, 'secrets', 'oidc-client-secrets.key');
}

export function loadClientSecretKey(settings: Pick<Settings, 'dataDir'>): ClientSecretKey {
  const file = clientSecretKeyFile(settings);
  return { key: loadOrCreateKey(file), file };
}

/** The key and where it came from (named when a secret cannot be read with it). */
export interface ClientSecretKey {
  key: Buffer;
  file: string;
}
