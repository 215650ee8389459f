/**
 * One inference worker thread seen from the request thread: start it on a version's files, send it batches, and
 * restart it if it dies after it served (its batch in flight fails; the next one waits for the new thread).
 */
import { Worker } from 'node:worker_threads';
import type { Settled } from '../dynamic-batcher.js';
import type { VersionFiles } from '../model-source.js';
import type { Classification, ClassifyRequest } from '../ports.js';
import { type BatchMessage, fromWire, type WorkerReply } from './messages.js';

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);
const ENTRY = new URL('./pool-worker.ts', import.meta.url);

interface Pending {
  resolve(outcomes: Settled<Classification>[]): void;
  reject(error: Error): void;
}

/**
 * A worker thread holding one copy of a model version.
 *
 * @example
 * ```ts
 * const thread = new InferenceThread(files);
 * const meta = await thread.ready;
 * const [outcome] = await thread.run([{ image: jpegBytes, options: { topK: 3 } }]);
 * await thread.close();
 * ```
 */
export class InferenceThread {
  /** Resolves with the model's metadata once the thread has loaded and warmed up its copy. */
  ready!: Promise<Record<string, unknown>>;
  /** Times the thread died after it had started and was started again. */
  restarts = 0;
  private worker!: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(private readonly files: VersionFiles) {
    this.start();
  }

  /** Classifies a batch on this thread; one outcome per request. */
  async run(requests: ClassifyRequest[]): Promise<Settled<Classification>[]> {
    await this.ready;
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, requests } satisfies BatchMessage);
    });
  }

  /** Stops the thread; batches in flight fail. */
  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }

  private start(): void {
    const worker = new Worker(BOOTSTRAP, { workerData: { entry: ENTRY.href, files: this.files } });
    // an idle inference thread does not keep the process alive (the server's socket does while it serves)
    worker.unref();
    this.worker = worker;
    let started = false;
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (message: WorkerReply) => {
        if ('ready' in message) {
          started = true;
          resolve(message.meta);
        } else if ('failed' in message) {
          reject(fromWire(message.failed));
          void worker.terminate();
        } else this.settle(message);
      });
      let lastError: Error | undefined;
      worker.on('error', (error) => {
        lastError = error;
      });
      worker.on('exit', (code) => {
        const failure = lastError ?? new Error(`the inference thread exited with code ${code}`);
        reject(failure);
        for (const p of this.pending.values()) p.reject(failure);
        this.pending.clear();
        // A thread that never started is not restarted (the version cannot load: the serving cache reports it).
        if (started && !this.closed) {
          this.restarts++;
          this.start();
        }
      });
    });
    this.ready.catch(() => {});
  }

  private settle(message: Extract<WorkerReply, { id: number }>): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if ('error' in message) pending.reject(fromWire(message.error));
    else pending.resolve(message.outcomes.map((o) => (o.ok ? o : { ok: false, error: fromWire(o.error) })));
  }
}
