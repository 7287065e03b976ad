import { Agent, fetch as undiciFetch } from 'undici';

/** A fetch that trusts the deployment's own root CA (as a relying party configured with it would). */
export function trustingFetch(caPem: string) {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  return (url: string, init: { headers?: Record<string, string>; redirect?: 'manual' | 'follow' } = {}) =>
    undiciFetch(url, { ...init, dispatcher }) as unknown as Promise<Response>;
}
