import type Provider from 'oidc-provider';
import LRU from 'oidc-provider/lib/helpers/lru.js';
import instance from 'oidc-provider/lib/helpers/weak_cache.js';
import type { Logger } from '../../platform/index.ts';

/**
 * oidc-provider keeps the last 100 clients it parsed and validated (keyed by a hash of their
 * metadata, so a changed client is parsed again); any other is validated anew at each request:
 * about 45 µs per client lookup against 4 µs from the cache (measured, docs/benchmarks.md), for
 * a token or userinfo request of 700-1 000 µs. The cache's size is no option of oidc-provider:
 * this replaces the cache of one provider instance with a larger one of the same kind, and says
 * so when oidc-provider's internals no longer look as expected (a test pins them).
 */
export function enlargeClientCache(provider: Provider, maxSize: number, log: Logger): boolean {
  if (!parsedClientCache(provider)) {
    log.warn('oidc-provider internals changed: the parsed client cache keeps its default size');
    return false;
  }
  instance(provider)!.dynamicClients = new LRU({ maxSize });
  return true;
}

/** The provider's cache of parsed clients, where oidc-provider keeps it (undefined if it moved). */
export function parsedClientCache(
  provider: Provider,
): { get(key: string): unknown; set(key: string, value: unknown): void } | undefined {
  const cache = (instance(provider) as { dynamicClients?: unknown } | undefined)?.dynamicClients;
  return cache instanceof LRU ? cache : undefined;
}
