/**
 * A map that keeps at most `maxSize` entries, forgetting the oldest inserted when full. For
 * memos of pure work (parsed certificates, imported keys, opened secrets, prepared statements)
 * whose keys come from outside: without a bound, every new key would stay in memory for good.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #maxSize: number;

  constructor(maxSize: number) {
    if (!(maxSize >= 1)) throw new RangeError('BoundedMap needs a size of at least 1');
    this.#maxSize = maxSize;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  set(key: K, value: V): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.#maxSize)
      this.#entries.delete(this.#entries.keys().next().value as K);
    this.#entries.set(key, value);
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
