/** Per-key mutual exclusion, so the check-and-commit of a conditional write is atomic per key. */

/**
 * Runs critical sections one at a time per key (FIFO), different keys concurrently.
 *
 * @example
 * ```ts
 * const locks = new KeyLocks();
 * await locks.run('a.jpg', async () => { if (!index.has('a.jpg')) await commit(); });
 * ```
 */
export class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier section for `key` has finished; resolves or rejects with its result. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.tails.set(key, mine);
    try {
      if (previous) await previous;
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === mine) this.tails.delete(key);
    }
  }
}
