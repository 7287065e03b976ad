import { Agent, fetch as undiciFetch } from 'undici';

/** A response whose JSON body tests read untyped (they assert its shape). */
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<any> };

/** A fetch that trusts the deployment's own root CA (as a relying party configured with it would). */
export function trustingFetch(caPem: string) {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  return (url: string | URL, init: Record<string, unknown> = {}) =>
    undiciFetch(url, { ...init, dispatcher } as Parameters<
      typeof undiciFetch
    >[1]) as unknown as Promise<TestResponse>;
}
