// oidc-provider's own helpers, reached past its public API by client-cache.ts (it ships no types).
declare module 'oidc-provider/lib/helpers/lru.js' {
  export default class LRU {
    constructor(options: { maxSize: number });
    get(key: string): unknown;
    set(key: string, value: unknown, options?: { maxAge?: number }): void;
  }
}

declare module 'oidc-provider/lib/helpers/weak_cache.js' {
  export default function instance(provider: object): Record<string, unknown> | undefined;
}
