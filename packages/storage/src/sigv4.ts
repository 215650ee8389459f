/**
 * AWS Signature Version 4 for S3 requests, with Web Crypto only (runs in Node, browsers and workerd): the signer of
 * {@link FetchS3BlobStore}. Header-based signing; the payload is hashed (no `UNSIGNED-PAYLOAD`).
 */

const encoder = new TextEncoder();

/**
 * Access keys of an S3-compatible store (AWS, R2, MinIO, the embedded server).
 *
 * @example
 * ```ts
 * const credentials: S3Credentials = { accessKeyId: 'AKIA…', secretAccessKey: '…' };
 * ```
 */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * One request to sign.
 *
 * @example
 * ```ts
 * const request: SignInput = { method: 'GET', url: new URL('http://127.0.0.1:9000/graft/models/a/current.json'), headers: {} };
 * ```
 */
export interface SignInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/**
 * Where and as whom to sign.
 *
 * @example
 * ```ts
 * const scope: SignScope = { region: 'auto', credentials, now: new Date() };
 * ```
 */
export interface SignScope {
  region: string;
  credentials: S3Credentials;
  service?: string;
  now?: Date;
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return hex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

async function hmac(key: Uint8Array | ArrayBuffer, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey(
    'raw',
    key as BufferSource,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return crypto.subtle.sign('HMAC', k, encoder.encode(data));
}

/**
 * RFC 3986 encoding as SigV4 wants it (`A-Za-z0-9-._~` kept; `/` kept when `keepSlash`).
 *
 * @example
 * ```ts
 * uriEncode('a b/c+d', true); // 'a%20b/c%2Bd'
 * ```
 */
export function uriEncode(value: string, keepSlash = false): string {
  return [...encoder.encode(value)]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) return c;
      return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

function canonicalQuery(url: URL): string {
  return [...url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/**
 * Signs a request: returns its headers plus `host`, `x-amz-date`, `x-amz-content-sha256` (and
 * `x-amz-security-token`) and `authorization`. `url.pathname` must already be URI-encoded once (S3 does not
 * double-encode).
 *
 * @example
 * ```ts
 * const headers = await signRequest({ method: 'GET', url, headers: {} }, { region: 'us-east-1', credentials });
 * const res = await fetch(url, { headers });
 * ```
 */
export async function signRequest(input: SignInput, scope: SignScope): Promise<Record<string, string>> {
  const service = scope.service ?? 's3';
  const stamp = (scope.now ?? new Date()).toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = stamp.slice(0, 8);
  const payloadHash = await sha256Hex(input.body ?? new Uint8Array());
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) headers[name.toLowerCase()] = value.trim();
  headers.host = input.url.host;
  headers['x-amz-date'] = stamp;
  headers['x-amz-content-sha256'] = payloadHash;
  if (scope.credentials.sessionToken) headers['x-amz-security-token'] = scope.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonical = [
    input.method,
    input.url.pathname,
    canonicalQuery(input.url),
    names.map((n) => `${n}:${headers[n]}\n`).join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const credentialScope = `${day}/${scope.region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', stamp, credentialScope, await sha256Hex(canonical)].join('\n');
  let key: ArrayBuffer = await hmac(encoder.encode(`AWS4${scope.credentials.secretAccessKey}`), day);
  for (const part of [scope.region, service, 'aws4_request']) key = await hmac(key, part);
  const signature = hex(await hmac(key, toSign));
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${scope.credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
