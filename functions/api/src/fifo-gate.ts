/**
 * Runs async tasks in the order they arrive, at most `concurrency` at a time (default one). Image decoding and
 * inference share one thread and yield at many `await`s; without a gate, 32 concurrent predictions interleave their
 * steps and some wait far longer than others (measured with `graft bench api` at concurrency 32: p50 631 ms but p99
 * 6.3 s; gated, p99 1.8 s). With dynamic batching the gate lets enough predictions in to fill the batches
 * (`predictionGateSize`) and keeps the rest waiting, in order, without holding their decoded images.
 *
 * @example
 * ```ts
 * const gate = new FifoGate();
 * const result = await gate.run(async () => model.classify(await decode(bytes)));
 * ```
 */
export class FifoGate {
  readonly concurrency: number;
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private queued = 0;

  constructor(options: { concurrency?: number } = {}) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  }

  /** Tasks waiting or running. */
  get size(): number {
    return this.queued;
  }

  /** Runs `task` when a place is free and every task passed before it has started; settles as `task` does. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    this.queued++;
    try {
      // A finishing task hands its place straight to the first waiter, so no newcomer can overtake it.
      if (this.running < this.concurrency) this.running++;
      else await new Promise<void>((resolve) => this.waiting.push(resolve));
      try {
        return await task();
      } finally {
        const next = this.waiting.shift();
        if (next) next();
        else this.running--;
      }
    } finally {
      this.queued--;
    }
  }
}

/**
 * How many predictions the gate lets decode and queue for the model at once: a full batch for every inference thread
 * plus the next batch getting ready, so a thread that frees up finds its next batch decoded.
 *
 * @example
 * ```ts
 * new FifoGate({ concurrency: predictionGateSize(16, 2) }); // 48
 * ```
 */
export function predictionGateSize(maxBatchSize: number, threads: number): number {
  return Math.max(1, maxBatchSize) * (Math.max(1, threads) + 1);
}
