import type Provider from 'oidc-provider';
import { publishedKeys } from '../keys/signing-keys.ts';
import type { OidcDb } from '../store/tables.ts';

/**
 * oidc-provider takes its keys at construction. The holder rebuilds the provider when the
 * published key set changes (a rotation made by the CLI or another node), checking at most every
 * few seconds, so a rotation needs no restart.
 */
export class ProviderHolder {
  readonly #build: (jwks: { keys: object[] }) => Provider;
  readonly #db: OidcDb;
  readonly #graceSeconds: number;
  readonly #checkEveryMs: number;
  #provider: Provider | undefined;
  #version = '';
  #checkedAt = 0;
  #checking: Promise<void> | undefined;

  constructor(options: {
    build: (jwks: { keys: object[] }) => Provider;
    db: OidcDb;
    graceSeconds: number;
    checkEveryMs?: number;
  }) {
    this.#build = options.build;
    this.#db = options.db;
    this.#graceSeconds = options.graceSeconds;
    this.#checkEveryMs = options.checkEveryMs ?? 5000;
  }

  current(): Provider {
    if (!this.#provider) throw new Error('provider not initialised: call refresh() first');
    return this.#provider;
  }

  /** Rebuilds the provider if the key set changed; `force` checks now. */
  async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.#checkedAt < this.#checkEveryMs) return;
    this.#checking ??= (async () => {
      try {
        const { keys, version } = await publishedKeys(this.#db, this.#graceSeconds);
        this.#checkedAt = Date.now();
        if (version !== this.#version || !this.#provider) {
          this.#provider = this.#build({ keys });
          this.#version = version;
        }
      } finally {
        this.#checking = undefined;
      }
    })();
    await this.#checking;
  }
}
