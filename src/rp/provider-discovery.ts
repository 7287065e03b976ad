import * as client from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * A relying party's view of the provider: discovery through a TLS agent that trusts the
 * deployment's CA (the test PKI in the embedded default), made on first use and again after a
 * failure (the provider may start after the relying party).
 */
export function providerDiscovery(options: {
  issuer: string;
  clientId: string;
  clientSecret: string;
  caPem: string;
}): () => Promise<client.Configuration> {
  const dispatcher = new Agent({ connect: { ca: options.caPem } });
  const trustedFetch = ((url: string, init: RequestInit) =>
    undiciFetch(url, { ...init, dispatcher } as never)) as unknown as client.CustomFetch;
  let config: Promise<client.Configuration> | undefined;
  return () => {
    config ??= client
      .discovery(new URL(options.issuer), options.clientId, options.clientSecret, undefined, {
        [client.customFetch]: trustedFetch,
      })
      .catch((error) => {
        config = undefined;
        throw error;
      });
    return config;
  };
}
