import { S3Client } from '@aws-sdk/client-s3';

/** How a worker thread reaches the runtime's S3 (clients cannot cross thread boundaries; settings can). */
export interface S3Connection {
  endpoint: string;
  bucket: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts per S3 call including the first (the SDK's default is 3; fault tests use 1 to surface every fault). */
  maxAttempts?: number;
}

/**
 * Builds the S3 client for a connection (path style, as the embedded server and MinIO need).
 *
 * @example
 * ```ts
 * const client = s3ClientFor({ endpoint: 'http://127.0.0.1:4568', bucket: 'graft', region: 'us-east-1' });
 * ```
 */
export function s3ClientFor(connection: S3Connection): S3Client {
  return new S3Client({
    endpoint: connection.endpoint,
    region: connection.region,
    forcePathStyle: true,
    ...(connection.maxAttempts ? { maxAttempts: connection.maxAttempts } : {}),
    // a copy: the SDK annotates the credentials object it is given
    ...(connection.credentials ? { credentials: { ...connection.credentials } } : {}),
  });
}
