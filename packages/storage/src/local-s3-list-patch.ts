import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request scratch state shared between the patched controller and the hardened store. */
export interface ListState {
  /** Set by the store when it cut a V2 listing short (instead of telling s3rver's controller). */
  truncated?: boolean;
}

/**
 * The request-scoped list state, one per process (the controller patch is process-wide too).
 *
 * @example
 * ```ts
 * hardenS3rverStore(store, dir, models, listState);
 * ```
 */
export const listState = new AsyncLocalStorage<ListState>();

interface KoaCtx {
  query: Record<string, string | string[] | undefined>;
  params: { bucket: string };
  body: unknown;
}

interface BucketController {
  getBucket(ctx: KoaCtx): Promise<void>;
  [PATCHED]?: true;
}

const PATCHED = Symbol.for('graft.s3rver.listV2Patched');

/**
 * Encodes a ListObjectsV2 continuation token (opaque to clients; base64url JSON of bucket + last key).
 *
 * @example
 * ```ts
 * decodeContinuationToken(encodeContinuationToken('b', 'k1')); // { bucket: 'b', key: 'k1' }
 * ```
 */
export function encodeContinuationToken(bucket: string, key: string): string {
  return Buffer.from(JSON.stringify({ b: bucket, k: key })).toString('base64url');
}

/**
 * Decodes a token from {@link encodeContinuationToken}; `undefined` when malformed.
 *
 * @example
 * ```ts
 * decodeContinuationToken('garbage'); // undefined
 * ```
 */
export function decodeContinuationToken(token: string): { bucket: string; key: string } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed?.b === 'string' && typeof parsed?.k === 'string')
      return { bucket: parsed.b, key: parsed.k };
  } catch {
    // fall through
  }
  return undefined;
}

/**
 * s3rver 3.7 makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node ≥ 17) refuses:
 * every listing with more keys than one page fails with a 500. This wraps its `getBucket` controller
 * (process-wide, once; the module is shared by every s3rver instance) so V2 tokens are plain
 * base64url JSON: an incoming token becomes `start-after`, and a truncation reported by the hardened
 * store through `state` becomes `IsTruncated` + `NextContinuationToken`.
 *
 * @example
 * ```ts
 * patchListObjectsV2(require('s3rver/lib/controllers/bucket'), S3Error);
 * ```
 */
export function patchListObjectsV2(
  controller: BucketController,
  S3Error: new (code: string, message: string, detail?: Record<string, string>) => Error,
): void {
  if (controller[PATCHED]) return;
  const original = controller.getBucket.bind(controller);
  controller.getBucket = async (ctx: KoaCtx) => {
    if (ctx.query['list-type'] !== '2') return original(ctx);
    const token = ctx.query['continuation-token'];
    const query = { ...ctx.query };
    if (typeof token === 'string' && token !== '') {
      const decoded = decodeContinuationToken(token);
      if (!decoded || decoded.bucket !== ctx.params.bucket) {
        throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', {
          ArgumentName: 'continuation-token',
        });
      }
      delete query['continuation-token'];
      query['start-after'] = decoded.key;
      ctx.query = query;
    }
    const scratch: ListState = {};
    await listState.run(scratch, () => original(ctx));
    const result = (ctx.body as { ListBucketResult?: Record<string, unknown> } | undefined)?.ListBucketResult;
    if (!result) return;
    const contents = (result.Contents as { Key: string }[] | undefined) ?? [];
    if (typeof token === 'string' && token !== '') {
      result.ContinuationToken = token;
      result.StartAfter = undefined;
    }
    if (scratch.truncated && contents.length > 0) {
      result.IsTruncated = true;
      result.NextContinuationToken = encodeContinuationToken(
        ctx.params.bucket,
        contents[contents.length - 1]!.Key,
      );
    }
  };
  controller[PATCHED] = true;
}
