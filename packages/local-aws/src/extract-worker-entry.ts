/**
 * The extraction worker thread's module (run by a {@link WorkerPool}) and what each of its batches reports back.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool<QueueMessage[], ExtractBatchResult>({ entry: EXTRACT_WORKER_ENTRY, size: 2, config });
 * ```
 */
export const EXTRACT_WORKER_ENTRY = new URL('./extract-worker.ts', import.meta.url);

/** What one extraction batch reports back: the partial batch response plus the outcome of every object. */
export interface ExtractBatchResult {
  batchItemFailures: { itemIdentifier: string }[];
  outcomes: { kind: string; key: string; code?: string }[];
}
