/**
 * An in-memory stand-in for SQS on one machine: at-least-once delivery of S3 event notifications to a
 * handler that answers with `batchItemFailures`, redelivery with exponential backoff, and a dead-letter
 * callback after `maxReceiveCount` receives — the same contract as SQS + Lambda's event source mapping.
 */

/** One queued message, shaped like an SQS record as Lambda receives it. */
export interface QueueMessage {
  messageId: string;
  body: string;
  receiveCount: number;
}

/** What a consumer answers for a batch: the ids to deliver again (Lambda's partial batch response). */
export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

/** Options of {@link LocalQueue}. */
export interface LocalQueueOptions {
  /** Consumes a batch; rejecting counts as failing every message of the batch. */
  consume(messages: QueueMessage[]): Promise<BatchResult>;
  /** How many batches run at once (one per worker). */
  concurrency: number;
  batchSize?: number;
  /** Receives before a message is dead-lettered (SQS redrive policy). */
  maxReceiveCount?: number;
  /** First redelivery delay; doubles on every receive. */
  backoffMs?: number;
  onDeadLetter?(message: QueueMessage, reason: string): void | Promise<void>;
}

/**
 * A bounded-concurrency queue with SQS semantics.
 *
 * @example
 * ```ts
 * const queue = new LocalQueue({ concurrency: 2, consume: (msgs) => pool.run(msgs) });
 * queue.send(JSON.stringify(s3Event));
 * await queue.drained();
 * ```
 */
export class LocalQueue {
  private readonly ready: QueueMessage[] = [];
  private readonly delayed = new Set<ReturnType<typeof setTimeout>>();
  private running = 0;
  private nextId = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  readonly stats = { sent: 0, delivered: 0, retried: 0, deadLettered: 0, succeeded: 0 };

  constructor(private readonly options: LocalQueueOptions) {}

  /** Enqueues one message body (an S3 event notification document). */
  send(body: string): string {
    const message = { messageId: `local-${++this.nextId}`, body, receiveCount: 0 };
    this.stats.sent++;
    this.ready.push(message);
    this.pump();
    return message.messageId;
  }

  /** Messages waiting, delayed or in flight. */
  get pending(): number {
    return this.ready.length + this.delayed.size + this.running;
  }

  /** Resolves when nothing is waiting, delayed or in flight. */
  drained(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops delivering; delayed redeliveries are dropped (the process is going away). */
  close(): void {
    this.closed = true;
    for (const timer of this.delayed) clearTimeout(timer);
    this.delayed.clear();
  }

  private pump(): void {
    const batchSize = this.options.batchSize ?? 10;
    while (!this.closed && this.running < this.options.concurrency && this.ready.length > 0) {
      const batch = this.ready.splice(0, batchSize);
      this.running++;
      void this.deliver(batch).finally(() => {
        this.running--;
        this.pump();
        this.notify();
      });
    }
    this.notify();
  }

  private async deliver(batch: QueueMessage[]): Promise<void> {
    for (const message of batch) message.receiveCount++;
    this.stats.delivered += batch.length;
    let failed: Set<string>;
    let reason = 'handler reported a failure';
    try {
      const result = await this.options.consume(batch);
      failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
      failed = new Set(batch.map((m) => m.messageId));
    }
    this.stats.succeeded += batch.length - failed.size;
    for (const message of batch) {
      if (failed.has(message.messageId)) await this.retry(message, reason);
    }
  }

  private async retry(message: QueueMessage, reason: string): Promise<void> {
    const maxReceiveCount = this.options.maxReceiveCount ?? 5;
    if (message.receiveCount >= maxReceiveCount) {
      this.stats.deadLettered++;
      await this.options.onDeadLetter?.(message, reason);
      return;
    }
    this.stats.retried++;
    const delay = (this.options.backoffMs ?? 200) * 2 ** (message.receiveCount - 1);
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      this.ready.push(message);
      this.pump();
    }, delay);
    this.delayed.add(timer);
  }

  private notify(): void {
    if (this.pending > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
