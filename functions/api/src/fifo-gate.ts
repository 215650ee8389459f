/**
 * Runs async tasks one at a time in the order they arrive. Image decoding and inference share one thread and yield
 * at many `await`s; without a gate, 32 concurrent predictions interleave their steps and some wait far longer than
 * others (measured with `graft bench api` at concurrency 32: p50 631 ms but p99 6.3 s; gated, p99 1.8 s).
 *
 * @example
 * ```ts
 * const gate = new FifoGate();
 * const result = await gate.run(async () => model.classify(await decode(bytes)));
 * ```
 */
export class FifoGate {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /** Tasks waiting or running. */
  get size(): number {
    return this.queued;
  }

  /** Runs `task` after every task passed before it has settled; resolves or rejects as `task` does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.queued++;
    const result = this.tail.then(task).finally(() => {
      this.queued--;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
