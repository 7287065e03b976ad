import assert from 'node:assert/strict';
import { it } from 'node:test';
import Provider from 'oidc-provider';
import { createLogger } from '../../platform/index.ts';
import { enlargeClientCache, parsedClientCache } from './client-cache.ts';

const log = createLogger('silent');

/** Puts n parsed "clients" in the provider's cache; says whether the first is still there. */
function keepsFirstOf(provider: Provider, n: number): boolean {
  const cache = parsedClientCache(provider);
  assert.ok(cache, "oidc-provider's parsed client cache is where client-cache.ts expects it");
  for (let i = 0; i < n; i++) cache.set(`client-${i}`, { i });
  return cache.get('client-0') !== undefined;
}

// Pins the oidc-provider internals client-cache.ts relies on: an upgrade that moves them fails here.
it("replaces oidc-provider's cache of 100 parsed clients with one of the configured size", () => {
  assert.equal(keepsFirstOf(new Provider('https://op.example'), 1000), false, 'the default forgets');
  const enlarged = new Provider('https://op.example');
  assert.equal(enlargeClientCache(enlarged, 5000, log), true);
  assert.equal(keepsFirstOf(enlarged, 1000), true);
});
