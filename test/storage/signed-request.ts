/**
 * Signing raw HTTP requests to the embedded S3 server with AWS's own Signature V4 implementation
 * (`@smithy/signature-v4`, what the SDK uses), so tests can send exactly the bytes they want, signed or not.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { LocalS3 } from '@graft/storage';
import { SignatureV4 } from '@smithy/signature-v4';

/** The SDK's hash interface over node:crypto (HMAC when given a secret). */
class NodeSha256 {
  private hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret
      ? createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer))
      : createHash('sha256');
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

/** Credentials and the host a request is signed for. */
export interface SigningTarget {
  credentials: LocalS3['credentials'];
  /** `address:port` put in the Host header (default: the server's own). */
  host: string;
  region?: string;
}

/** A target for `s3` with its own key pair and address. */
export function targetOf(s3: LocalS3, overrides: Partial<SigningTarget> = {}): SigningTarget {
  return { credentials: s3.credentials, host: new URL(s3.endpoint).host, ...overrides };
}

function signer(target: SigningTarget): SignatureV4 {
  return new SignatureV4({
    credentials: target.credentials,
    region: target.region ?? 'us-east-1',
    service: 's3',
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

function requestOf(
  target: SigningTarget,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
) {
  const [hostname, port] = target.host.split(':') as [string, string];
  const q = pathAndQuery.indexOf('?');
  const query: Record<string, string> = {};
  if (q !== -1) {
    for (const pair of pathAndQuery.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=');
      query[decodeURIComponent(eq === -1 ? pair : pair.slice(0, eq))] =
        eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1));
    }
  }
  return {
    method,
    protocol: 'http:',
    hostname,
    port: Number(port),
    path: q === -1 ? pathAndQuery : pathAndQuery.slice(0, q),
    query,
    headers: { host: target.host, ...headers },
  };
}

/**
 * The headers of a header-signed request (`x-amz-content-sha256` defaults to `UNSIGNED-PAYLOAD`; pass the body's
 * hex SHA-256 to sign it).
 */
export async function signedHeaders(
  target: SigningTarget,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string> = {},
  signingDate = new Date(),
): Promise<Record<string, string>> {
  const request = requestOf(target, method, pathAndQuery, {
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    ...headers,
  });
  const signed = await signer(target).sign(request, { signingDate });
  return signed.headers as Record<string, string>;
}

/** A presigned path and query for `method` on `pathAndQuery`, valid for `expiresIn` seconds from `signingDate`. */
export async function presignedPath(
  target: SigningTarget,
  method: string,
  pathAndQuery: string,
  expiresIn: number,
  signingDate = new Date(),
): Promise<string> {
  // as S3's presigner does: the payload of a presigned request is unsigned, and that header is not sent
  const request = requestOf(target, method, pathAndQuery, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
  const signed = await signer(target).presign(request, {
    expiresIn,
    signingDate,
    unsignableHeaders: new Set(['x-amz-content-sha256']),
  });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `${signed.path}?${query}`;
}

/** A raw HTTP request to the server at `port` (what a misbehaving client sends), answered with status, headers and text. */
export function rawRequest(
  port: number,
  method: string,
  pathAndQuery: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: pathAndQuery, headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
