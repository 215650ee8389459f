import { decodeS3EventKey, TransientStorageError } from '@graft/storage';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type Outcome, type ProcessDeps, processObject } from './process-object.js';

/** A structured log line sink (console in Lambda, the CLI's output locally). */
export type Log = (entry: Record<string, unknown>) => void;

/**
 * Creates the extract handler for SQS batches of S3 event notifications (and direct S3 events). Each SQS
 * message whose work failed transiently is reported in `batchItemFailures` so only it is retried; a bad image
 * is not a failure (it gets a `rejects/` record).
 *
 * @example
 * ```ts
 * export const handler = createExtractHandler({ store, features, extractors, datasetConfig });
 * ```
 */
export function createExtractHandler(
  deps: ProcessDeps,
  log: Log = (entry) => console.log(JSON.stringify(entry)),
) {
  return async function handle(event: SQSEvent | S3Event): Promise<SQSBatchResponse> {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    if (isS3Event(event)) {
      for (const record of event.Records) await processKey(record.s3.object.key, deps, log);
      return { batchItemFailures: [] };
    }
    for (const message of event.Records) {
      try {
        for (const key of keysOfMessage(message.body)) await processKey(key, deps, log);
      } catch (error) {
        log({ level: 'warn', msg: 'retrying message', messageId: message.messageId, error: describe(error) });
        failures.push({ itemIdentifier: message.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}

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
