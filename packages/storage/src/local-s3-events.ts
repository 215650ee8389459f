import type { ObjectCreatedEventName, S3EventRecordJson } from './s3-event.js';
import { encodeS3EventKey } from './s3-event.js';

/** A record as s3rver 3.7 emits it (see `s3rver/lib/models/event.js`). */
export interface S3rverRawRecord {
  eventName: string;
  eventTime: string;
  userIdentity?: { principalId?: string };
  requestParameters?: { sourceIPAddress?: string };
  responseElements?: { 'x-amz-request-id'?: string; 'x-amz-id-2'?: string };
  s3: {
    bucket: { name: string; ownerIdentity?: { principalId?: string } };
    object: { key: string; size?: number; eTag?: string; sequencer?: string };
  };
}

/** What the local server knows about the request that produced the record. */
export interface RecordContext {
  /** The real event name, from the HTTP request (s3rver reports multipart completions as `Post`). */
  eventName?: ObjectCreatedEventName;
  /** ETag (without quotes) when s3rver's record lacks one (copies). */
  eTag?: string;
  region: string;
  sequencer: string;
}

/**
 * Turns one of s3rver's records into the exact record AWS S3 sends. Differences fixed: eventVersion
 * `2.0` → `2.1`; raw key → URL-encoded key; bucket ARN `arn:aws:s3: : :b` → `arn:aws:s3:::b`;
 * `ObjectCreated:Post` for multipart completions → `ObjectCreated:CompleteMultipartUpload`; missing
 * `eTag` on copies filled in; IPv4-mapped source addresses unwrapped; per-process monotonic sequencer.
 *
 * @example
 * ```ts
 * const record = normaliseS3rverRecord(raw, { region: 'us-east-1', sequencer: nextSequencer() });
 * ```
 */
export function normaliseS3rverRecord(raw: S3rverRawRecord, ctx: RecordContext): S3EventRecordJson {
  const source = raw.requestParameters?.sourceIPAddress ?? '127.0.0.1';
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: ctx.region,
    eventTime: raw.eventTime,
    eventName: ctx.eventName ?? raw.eventName,
    userIdentity: { principalId: raw.userIdentity?.principalId ?? 'AWS:GRAFTLOCAL' },
    requestParameters: { sourceIPAddress: source.replace(/^::ffff:/, '') },
    responseElements: {
      'x-amz-request-id': raw.responseElements?.['x-amz-request-id'] ?? '0000000000000000',
      'x-amz-id-2': raw.responseElements?.['x-amz-id-2'] ?? '',
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'graft-local',
      bucket: {
        name: raw.s3.bucket.name,
        ownerIdentity: { principalId: raw.s3.bucket.ownerIdentity?.principalId ?? 'GRAFTLOCAL' },
        arn: `arn:aws:s3:::${raw.s3.bucket.name}`,
      },
      object: {
        key: encodeS3EventKey(raw.s3.object.key),
        size: raw.s3.object.size ?? 0,
        eTag: raw.s3.object.eTag ?? ctx.eTag ?? '',
        sequencer: ctx.sequencer,
      },
    },
  };
}
