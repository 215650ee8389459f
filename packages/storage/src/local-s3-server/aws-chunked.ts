/**
 * Decoding the `aws-chunked` body the AWS SDK v3 sends for a stream of known length
 * (`x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER`): `<hex size>\r\n<data>\r\n` … `0\r\n`, then
 * trailer lines (`x-amz-checksum-crc32:<base64>`) and an empty line. The trailing checksum is verified.
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { S3ServerError } from './errors.js';

/** The one streaming variant decoded here (signed chunks, `STREAMING-AWS4-HMAC-SHA256-PAYLOAD…`, are not sent by the SDK v3). */
export const UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

/** Longest chunk header or trailer line accepted. */
const MAX_LINE = 4096;

/** A running checksum of one trailer algorithm, as base64 of its big-endian digest. */
interface TrailerChecksum {
  update(chunk: Buffer): void;
  base64(): string;
}

function trailerChecksum(name: string): TrailerChecksum {
  if (name === 'x-amz-checksum-crc32') {
    let crc = 0;
    return {
      update: (chunk) => {
        crc = zlib.crc32(chunk, crc);
      },
      base64: () => {
        const out = Buffer.alloc(4);
        out.writeUInt32BE(crc >>> 0);
        return out.toString('base64');
      },
    };
  }
  const algorithm = { 'x-amz-checksum-sha1': 'sha1', 'x-amz-checksum-sha256': 'sha256' }[name];
  if (!algorithm) {
    throw new S3ServerError(
      'NotImplemented',
      `A header or query you provided implies functionality that is not implemented (${name} trailer).`,
    );
  }
  const hash = createHash(algorithm);
  return { update: (chunk) => void hash.update(chunk), base64: () => hash.digest('base64') };
}

/**
 * Yields the payload of an `aws-chunked` body; `trailer` is the request's `x-amz-trailer` (the checksum header
 * expected after the last chunk), verified against the decoded bytes. A malformed framing or a wrong checksum
 * throws `400 IncompleteBody` / `400 BadDigest`.
 *
 * @example
 * ```ts
 * for await (const data of decodeAwsChunked(req, req.headers['x-amz-trailer'])) file.write(data);
 * ```
 */
export async function* decodeAwsChunked(
  source: AsyncIterable<Buffer>,
  trailer: string | undefined,
): AsyncGenerator<Buffer> {
  const checksum = trailer ? trailerChecksum(trailer.toLowerCase()) : undefined;
  const malformed = () => new S3ServerError('IncompleteBody', 'The aws-chunked request body is malformed.');
  let buffered: Buffer = Buffer.alloc(0);
  let remaining = -1; // bytes of the current chunk still to yield; -1: a size line is next
  let done = false;
  const trailers = new Map<string, string>();

  const takeLine = (): string | undefined => {
    const end = buffered.indexOf('\r\n');
    if (end === -1) {
      if (buffered.length > MAX_LINE) throw malformed();
      return undefined;
    }
    const line = buffered.subarray(0, end).toString('latin1');
    buffered = buffered.subarray(end + 2);
    return line;
  };

  for await (const chunk of source) {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (!done) {
      if (remaining > 0) {
        if (buffered.length === 0) break;
        const data = buffered.subarray(0, remaining);
        buffered = buffered.subarray(data.length);
        remaining -= data.length;
        checksum?.update(data);
        yield data;
        continue;
      }
      if (remaining === 0) {
        if (buffered.length < 2) break;
        if (buffered[0] !== 0x0d || buffered[1] !== 0x0a) throw malformed();
        buffered = buffered.subarray(2);
        remaining = -1;
        continue;
      }
      const line = takeLine();
      if (line === undefined) break;
      if (remaining === -2) {
        // trailer section: header lines up to an empty one
        if (line === '') {
          done = true;
          break;
        }
        const colon = line.indexOf(':');
        if (colon <= 0) throw malformed();
        trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        continue;
      }
      const size = line.split(';')[0]!;
      if (!/^[0-9a-fA-F]{1,16}$/.test(size)) throw malformed();
      remaining = Number.parseInt(size, 16);
      if (remaining === 0) remaining = -2;
    }
  }
  if (!done || buffered.length > 0) throw malformed();
  if (checksum && trailer) {
    const sent = trailers.get(trailer.toLowerCase());
    if (sent !== checksum.base64()) {
      throw new S3ServerError(
        'BadDigest',
        `The ${trailer} you specified did not match the calculated checksum.`,
      );
    }
  }
}
