import { Worker } from 'node:worker_threads';
import type { MemorySample } from '@graft/runtime';

/** Messages between the pool and its workers (`memory` asks a worker for a sample of its own memory). */
export type ToWorker<T> = { id: number; task: T } | { memory: number; collect?: boolean };
export type FromWorker<R> =
  | { id: number; ok: true; result: R }
  | { id: number; ok: false; error: string }
  | { ready: true }
  | { memory: number; sample: MemorySample };

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** The worker module (TypeScript is fine: it is loaded through tsx). */
  entry: URL;
  size: number;
  /** Passed to every worker as `workerData.config`. */
  config?: unknown;
  /** Called when a worker dies; the pool replaces it and fails the task it was running. */
  onWorkerExit?(info: { index: number; code: number; error?: Error }): void;
  /**
   * Start a worker only when a task needs one (up to `size`) instead of all of them at construction: a process that
   * may never get such a task (`graft start` serving predictions) pays neither their start-up CPU nor their memory.
   */
  lazy?: boolean;
  /**
   * With `lazy`: retire every worker once the pool has had no task for this long (ms); the next task starts one
   * again. A `graft start` that imported and trained once does not keep the extraction and training threads (each
   * with tfjs, its code and a backbone: ~300 MB) for the rest of its life.
   */
  idleMs?: number;
  /**
   * Replace a worker with a fresh thread once it has run this many tasks (between tasks, never during one): module
   * state a library keeps for the life of a thread and never frees goes with it. The training worker uses it for
   * tfjs-layers' registry of unique weight names (~1,000 strings per MobileNetV2 loaded, never removed).
   */
  maxTasks?: number;
}

interface Slot {
  index: number;
  worker: Worker;
  ready: Promise<void>;
  busy?: { id: number; resolve(value: unknown): void; reject(error: Error): void };
  /** Terminated on purpose (idle, or replaced after `maxTasks`): its exit is not a crash. */
  retired?: boolean;
  /** Tasks it has run. */
  tasks: number;
}

const bootstrap = new URL('./worker-bootstrap.mjs', import.meta.url);

/**
 * A fixed pool of worker threads, one task at a time per worker. A worker that crashes fails its task
 * (so the caller can retry it) and is replaced.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool<Batch, BatchResult>({ entry: new URL('./extract-worker.ts', import.meta.url), size: 2 });
 * const result = await pool.run(batch);
 * await pool.close();
 * ```
 */
export class WorkerPool<T, R> {
  /** Slot `i` holds worker `i`; with `lazy`, slots fill as tasks need them. */
  private readonly slots: Slot[] = [];
  private readonly waiting: (() => void)[] = [];
  private nextId = 0;
  private closing = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private retiredCount = 0;
  private recycledCount = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    if (!options.lazy) this.fill();
  }

  /** Resolves when every worker has finished starting (loaded its module and models); starts lazy ones now. */
  async started(): Promise<void> {
    this.fill();
    await Promise.all(this.slots.map((s) => s.ready));
  }

  /** How many worker threads are running (with `lazy`, fewer than `size` until tasks needed them). */
  get spawned(): number {
    return this.slots.length;
  }

  /** How many workers were retired for being idle (`idleMs`) so far. */
  get retired(): number {
    return this.retiredCount;
  }

  /** How many workers were replaced by a fresh thread after `maxTasks` tasks so far. */
  get recycled(): number {
    return this.recycledCount;
  }

  /** Runs one task on the next free worker. */
  async run(task: T): Promise<R> {
    const slot = await this.acquire();
    await slot.ready;
    const id = ++this.nextId;
    return new Promise<R>((resolve, reject) => {
      slot.busy = { id, resolve: resolve as (value: unknown) => void, reject };
      slot.worker.postMessage({ id, task } satisfies ToWorker<T>);
    }).finally(() => this.release(slot));
  }

  /** Terminates every worker. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.idleTimer);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /** Indexes of the workers running a task right now. */
  busy(): number[] {
    return this.slots.filter((s) => s.busy).map((s) => s.index);
  }

  /**
   * Samples each worker's own memory (its V8 heap, its tfjs wasm heap: see {@link MemorySample}), in slot order;
   * a worker that is starting, busy in a synchronous stretch longer than `timeoutMs` or gone gives `undefined`.
   * Workers answer between tasks' awaits, so a long-running job still answers at its next await.
   */
  async memory(
    options: { collect?: boolean; timeoutMs?: number } = {},
  ): Promise<(MemorySample | undefined)[]> {
    return Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<MemorySample | undefined>((resolve) => {
            const ask = ++this.nextId;
            const timer = setTimeout(() => done(undefined), options.timeoutMs ?? 5000);
            const onMessage = (message: FromWorker<R>) => {
              if ('memory' in message && message.memory === ask) done(message.sample);
            };
            const done = (sample: MemorySample | undefined) => {
              clearTimeout(timer);
              slot.worker.off('message', onMessage);
              resolve(sample);
            };
            slot.worker.on('message', onMessage);
            slot.worker.postMessage({ memory: ask, collect: options.collect } satisfies ToWorker<T>);
          }),
      ),
    );
  }

  /** Terminates one worker abruptly (tests use it to prove nothing is lost). */
  async kill(index: number): Promise<void> {
    await this.slots[index]?.worker.terminate();
  }

  private spawn(index: number): Slot {
    const worker = new Worker(bootstrap, {
      workerData: { entry: this.options.entry.href, config: this.options.config },
    });
    let markReady: () => void = () => {};
    let failStart: (e: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    ready.catch(() => {});
    const slot: Slot = { index, worker, ready, tasks: 0 };
    worker.on('message', (message: FromWorker<R>) => {
      if ('ready' in message) return markReady();
      if ('memory' in message) return;
      if (!slot.busy || slot.busy.id !== message.id) return;
      const { resolve, reject } = slot.busy;
      slot.busy = undefined;
      if (message.ok) resolve(message.result);
      else reject(new Error(message.error));
    });
    let lastError: Error | undefined;
    worker.on('error', (error) => {
      lastError = error;
    });
    worker.on('exit', (code) => {
      const failure = lastError ?? new Error(`worker ${index} exited with code ${code}`);
      failStart(failure);
      if (slot.busy) {
        slot.busy.reject(failure);
        slot.busy = undefined;
      }
      if (this.closing || slot.retired) return;
      this.options.onWorkerExit?.({ index, code, error: lastError });
      this.slots[index] = this.spawn(index);
      this.wake();
    });
    return slot;
  }

  private fill(): void {
    while (!this.closing && this.slots.length < this.options.size)
      this.slots.push(this.spawn(this.slots.length));
  }

  private async acquire(): Promise<Slot> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    for (;;) {
      let free = this.slots.find((s) => !s.busy && !this.reserved.has(s));
      if (!free && !this.closing && this.slots.length < this.options.size) {
        free = this.spawn(this.slots.length);
        this.slots.push(free);
      }
      if (free) {
        this.reserved.add(free);
        return free;
      }
      if (this.closing && this.slots.length === 0) throw new Error('the worker pool is closed');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private readonly reserved = new Set<Slot>();

  private release(slot: Slot): void {
    this.reserved.delete(slot);
    slot.tasks++;
    const { maxTasks } = this.options;
    if (maxTasks !== undefined && slot.tasks >= maxTasks && !this.closing && !slot.retired) {
      const position = this.slots.indexOf(slot);
      if (position >= 0) {
        slot.retired = true;
        void slot.worker.terminate();
        this.slots[position] = this.spawn(slot.index);
        this.recycledCount++;
      }
    }
    this.wake();
    this.retireWhenIdle();
  }

  /** With `idleMs`: once no task is running or waiting, a timer that retires every worker unless a task comes. */
  private retireWhenIdle(): void {
    const { idleMs, lazy } = this.options;
    if (!lazy || idleMs === undefined || !this.idle()) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.closing || !this.idle()) return;
      const retiring = this.slots.splice(0);
      for (const slot of retiring) {
        slot.retired = true;
        void slot.worker.terminate();
      }
      this.retiredCount += retiring.length;
    }, idleMs);
    this.idleTimer.unref();
  }

  private idle(): boolean {
    return this.reserved.size === 0 && this.waiting.length === 0 && this.slots.every((s) => !s.busy);
  }

  private wake(): void {
    this.waiting.shift()?.();
  }
}
