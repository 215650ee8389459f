/**
 * Object-created event notifications, shaped exactly as AWS S3 sends them, delivered to listeners one at a
 * time in commit order.
 */
import { randomBytes } from 'node:crypto';
import {
  encodeS3EventKey,
  nextSequencer,
  type ObjectCreatedEventName,
  type S3EventRecordJson,
} from '../s3-event.js';

/** What the server knows when an object was committed. */
export interface CommittedObject {
  bucket: string;
  key: string;
  size: number;
  /** ETag without quotes. */
  eTag: string;
  eventName: ObjectCreatedEventName;
  /** Address of the client that made the request. */
  sourceIp: string;
  requestId: string;
  /** `x-amz-id-2` of the response. */
  hostId: string;
}

/**
 * The S3 record of one committed object (eventVersion 2.1, URL-encoded key, process-monotonic sequencer).
 *
 * @example
 * ```ts
 * const record = objectCreatedRecord(committed, 'us-east-1');
 * ```
 */
export function objectCreatedRecord(object: CommittedObject, region: string): S3EventRecordJson {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: region,
    eventTime: new Date().toISOString(),
    eventName: object.eventName,
    userIdentity: { principalId: PRINCIPAL },
    requestParameters: { sourceIPAddress: object.sourceIp.replace(/^::ffff:/, '') },
    responseElements: { 'x-amz-request-id': object.requestId, 'x-amz-id-2': object.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'graft-local',
      bucket: {
        name: object.bucket,
        ownerIdentity: { principalId: OWNER },
        arn: `arn:aws:s3:::${object.bucket}`,
      },
      object: {
        key: encodeS3EventKey(object.key),
        size: object.size,
        eTag: object.eTag,
        sequencer: nextSequencer(),
      },
    },
  };
}

const PRINCIPAL = `AWS:${randomBytes(11).toString('hex').slice(0, 21).toUpperCase()}`;
const OWNER = randomBytes(7).toString('hex').toUpperCase();

/** A listener of object-created records. */
export type ObjectCreatedListener = (record: S3EventRecordJson) => void | Promise<void>;

/**
 * Delivers records to every listener, one record at a time in emit order; a listener that throws or rejects
 * is reported to `onError` and does not stop delivery.
 *
 * @example
 * ```ts
 * const events = new EventQueue((err) => console.error(err));
 * const off = events.subscribe((record) => fanOut(record));
 * events.emit(record);
 * await events.drain();
 * ```
 */
export class EventQueue {
  private readonly listeners = new Set<ObjectCreatedListener>();
  private readonly onError: (err: unknown, record: S3EventRecordJson) => void;
  private tail: Promise<void> = Promise.resolve();

  constructor(onError: (err: unknown, record: S3EventRecordJson) => void) {
    this.onError = onError;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: ObjectCreatedListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Queues `record` for delivery. */
  emit(record: S3EventRecordJson): void {
    this.tail = this.tail.then(async () => {
      for (const listener of this.listeners) {
        try {
          await listener(record);
        } catch (err) {
          this.onError(err, record);
        }
      }
    });
  }

  /** Resolves once every record emitted so far (including during the wait) has been delivered. */
  async drain(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.tail;
      await seen;
    } while (seen !== this.tail);
  }
}
