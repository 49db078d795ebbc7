/**
 * One async critical section per key: callers with the same key run one after another,
 * in arrival order; different keys never wait for each other. Used to serialize index
 * runs and vector-index writes per tenant.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let releaseNext!: () => void;
    const mine = new Promise<void>((resolve) => (releaseNext = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      releaseNext();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** True while some caller holds or waits for `key`. */
  isBusy(key: string): boolean {
    return this.tails.has(key);
  }
}
