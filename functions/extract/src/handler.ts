import { type Outcome, type ProcessDeps, processObject } from '@graft/extraction';
import { decodeS3EventKey, TransientStorageError } from '@graft/storage';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';

/** A structured log line sink (console in Lambda, the CLI's output locally). */
export type Log = (entry: Record<string, unknown>) => void;

/**
 * Creates the extract handler for SQS batches of S3 event notifications (and direct S3 events). Each SQS
 * message whose work failed transiently is reported in `batchItemFailures` so only it is retried; a bad image
 * is not a failure (it gets a `rejects/` record).
 *
 * The messages of a batch are handled `concurrency` at a time (default {@link DEFAULT_EXTRACT_CONCURRENCY}), so
 * one image's S3 round trips overlap another's inference. Two uploads of the same bytes in one batch still run
 * the trunk once: the second waits for the first and finds its feature (a `duplicate`).
 *
 * @example
 * ```ts
 * export const handler = createExtractHandler({ store, features, extractors, datasetConfig });
 * ```
 */
export function createExtractHandler(
  deps: ProcessDeps,
  log: Log = (entry) => console.log(JSON.stringify(entry)),
  options: { concurrency?: number } = {},
) {
  const concurrency = options.concurrency ?? DEFAULT_EXTRACT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer ≥ 1, got ${concurrency}`);
  }
  const shared: ProcessDeps = { ...deps, inFlight: deps.inFlight ?? new Map() };
  return async function handle(event: SQSEvent | S3Event): Promise<SQSBatchResponse> {
    if (isS3Event(event)) {
      for (const record of event.Records) await processKey(record.s3.object.key, shared, log);
      return { batchItemFailures: [] };
    }
    const failed = new Array<boolean>(event.Records.length).fill(false);
    let next = 0;
    const lane = async () => {
      while (next < event.Records.length) {
        const index = next++;
        const message = event.Records[index]!;
        try {
          for (const key of keysOfMessage(message.body)) await processKey(key, shared, log);
        } catch (error) {
          log({
            level: 'warn',
            msg: 'retrying message',
            messageId: message.messageId,
            error: describe(error),
          });
          failed[index] = true;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, event.Records.length) }, lane));
    return {
      batchItemFailures: event.Records.filter((_, i) => failed[i]).map((m) => ({
        itemIdentifier: m.messageId,
      })),
    };
  };
}

/**
 * Messages handled at once per invocation. Three overlap S3 latency with inference and keep the worst case (three
 * images at the 40-megapixel decode limit, about 320 MB each) inside a one-vCPU Lambda's 1,769 MB.
 */
export const DEFAULT_EXTRACT_CONCURRENCY = 3;

async function processKey(encodedKey: string, deps: ProcessDeps, log: Log): Promise<Outcome> {
  let key: string;
  try {
    key = decodeS3EventKey(encodedKey);
  } catch {
    log({ level: 'warn', msg: 'undecodable key in event', key: encodedKey });
    return { kind: 'ignored', key: encodedKey, reason: 'undecodable key' };
  }
  const outcome = await processObject(key, deps);
  log({ level: outcome.kind === 'rejected' ? 'warn' : 'info', msg: outcome.kind, ...outcome });
  return outcome;
}

/** The object keys (as encoded in the event) of one SQS message body; S3's test event has none. */
export function keysOfMessage(body: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return []; // not an S3 notification: nothing to do, and retrying would not help
  }
  const records = (parsed as { Records?: unknown }).Records;
  if (!Array.isArray(records)) return [];
  return records
    .filter((r) => typeof r?.eventName === 'string' && r.eventName.startsWith('ObjectCreated:'))
    .map((r) => r?.s3?.object?.key)
    .filter((k): k is string => typeof k === 'string');
}

function isS3Event(event: SQSEvent | S3Event): event is S3Event {
  return event.Records.length > 0 && (event.Records[0] as { eventSource?: string }).eventSource === 'aws:s3';
}

function describe(error: unknown): string {
  const transient = error instanceof TransientStorageError ? ' (transient)' : '';
  return `${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}${transient}`;
}
