/**
 * S3 event notification records, exactly as AWS S3 delivers them (to SQS, SNS, Lambda).
 * The shape mirrors `S3EventRecord` of `@types/aws-lambda`, without depending on it.
 */

/** One record of an S3 event notification (`event.Records[i]`). */
export interface S3EventRecordJson {
  eventVersion: string;
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    s3SchemaVersion: string;
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size: number; eTag: string; versionId?: string; sequencer: string };
  };
}

/** The event notification document: what an SQS message body from S3 contains. */
export interface S3EventJson {
  Records: S3EventRecordJson[];
}

/** The object-created event names S3 emits for the operations the local server supports. */
export type ObjectCreatedEventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload';

/**
 * Encodes an object key the way S3 writes it into event notifications (form URL encoding):
 * space → `+`, `+` → `%2B`, `/` and `A–Z a–z 0–9 - _ . *` kept, every other byte of the UTF-8
 * form percent-encoded with upper-case hex.
 *
 * @example
 * ```ts
 * encodeS3EventKey('train/my cat+1 (é).jpg'); // 'train/my+cat%2B1+%28%C3%A9%29.jpg'
 * ```
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

/**
 * Decodes a key from an S3 event notification: `+` → space, then `decodeURIComponent`.
 *
 * @example
 * ```ts
 * decodeS3EventKey('train/my+cat%2B1.jpg'); // 'train/my cat+1.jpg'
 * ```
 */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/**
 * Wraps records into the notification document S3 sends (`{ Records: [...] }`).
 *
 * @example
 * ```ts
 * const body = JSON.stringify(toS3Event([record]));
 * ```
 */
export function toS3Event(records: S3EventRecordJson[]): S3EventJson {
  return { Records: records };
}

let lastSequencer = 0n;

/**
 * A sequencer value: upper-case hex, strictly increasing within this process (S3's sequencers
 * only order events of one key; these order all events of the local server).
 *
 * @example
 * ```ts
 * nextSequencer() < nextSequencer(); // true (same length, so string order works)
 * ```
 */
export function nextSequencer(): string {
  const candidate = BigInt(Date.now()) << 16n;
  lastSequencer = candidate > lastSequencer ? candidate : lastSequencer + 1n;
  return lastSequencer.toString(16).toUpperCase().padStart(18, '0');
}
