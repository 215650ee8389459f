/**
 * AWS Signature Version 4 as S3 checks it: the `Authorization` header form and the presigned query form
 * (`X-Amz-Signature=…`). The payload hash signed is whatever `x-amz-content-sha256` declares (a hex SHA-256,
 * `UNSIGNED-PAYLOAD` or a `STREAMING-…` variant); a hex hash is compared with the body as it is received
 * (`request-body.ts`), so a tampered body fails too.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { S3ServerError } from './errors.js';

/** A key pair the server accepts. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** How far a header-signed request's `x-amz-date` may be from the server's clock (S3: 15 minutes). */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** Longest lifetime of a presigned URL (S3: 7 days). */
const MAX_EXPIRES_S = 7 * 24 * 3600;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The parts of a signature, from the header or the query. */
interface SignatureParts {
  accessKeyId: string;
  /** `<yyyymmdd>/<region>/<service>/aws4_request` */
  scope: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
  presigned: boolean;
  expiresS?: number;
}

/**
 * Throws unless `req` carries a valid Signature V4 by `credentials`: `403 AccessDenied` when unsigned or expired,
 * `403 InvalidAccessKeyId` for another key, `403 SignatureDoesNotMatch` when the signature differs (a tampered
 * method, path, query or signed header), `403 RequestTimeTooSkewed` for a stale header signature, `400
 * AuthorizationHeaderMalformed` / `AuthorizationQueryParametersError` for a malformed one.
 *
 * @example
 * ```ts
 * verifySignature(req, { accessKeyId: 'GRAFT…', secretAccessKey: '…' }, new Date());
 * ```
 */
export function verifySignature(req: IncomingMessage, credentials: S3Credentials, now: Date): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = parseQuery(q === -1 ? '' : url.slice(q + 1));
  const parts = signatureParts(req, query);
  if (parts.accessKeyId !== credentials.accessKeyId) {
    throw new S3ServerError(
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
      { AWSAccessKeyId: parts.accessKeyId },
    );
  }
  checkTime(parts, now);
  const canonical = canonicalRequest(req, path, query, parts);
  const stringToSign = [ALGORITHM, parts.amzDate, parts.scope, sha256Hex(canonical)].join('\n');
  const key = signingKey(credentials.secretAccessKey, parts.scopeDate, parts.region, parts.service);
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(parts.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new S3ServerError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: parts.accessKeyId },
    );
  }
}

/**
 * The SHA-256 a header-signed request declared for its body (`x-amz-content-sha256` as lowercase hex), or
 * undefined when the payload is unsigned or streamed.
 *
 * @example
 * ```ts
 * const declared = declaredPayloadSha256(req.headers); // 'e3b0c442…' | undefined
 * ```
 */
export function declaredPayloadSha256(headers: IncomingMessage['headers']): string | undefined {
  const value = headers['x-amz-content-sha256'];
  return typeof value === 'string' && HEX_SHA256.test(value) ? value : undefined;
}

function signatureParts(req: IncomingMessage, query: [string, string][]): SignatureParts {
  const authorization = req.headers.authorization;
  const queryValue = (name: string) => query.find(([k]) => k === name)?.[1];
  if (authorization !== undefined) return headerParts(req, authorization);
  if (queryValue('X-Amz-Signature') !== undefined || queryValue('X-Amz-Algorithm') !== undefined)
    return queryParts(queryValue);
  throw new S3ServerError('AccessDenied', 'Access Denied: the request is not signed.');
}

function headerParts(req: IncomingMessage, authorization: string): SignatureParts {
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    throw new S3ServerError('AccessDenied', `Access Denied: only ${ALGORITHM} signatures are accepted.`);
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const malformed = (why: string) =>
    new S3ServerError('AuthorizationHeaderMalformed', `The authorization header is malformed; ${why}.`);
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature)
    throw malformed('it needs Credential, SignedHeaders and Signature');
  const amzDate = header(req, 'x-amz-date');
  if (!amzDate) throw malformed('the request has no x-amz-date header');
  const payloadHash = header(req, 'x-amz-content-sha256');
  if (!payloadHash)
    throw new S3ServerError(
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
  return {
    ...scopeParts(credential, malformed),
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    payloadHash,
    presigned: false,
  };
}

function queryParts(value: (name: string) => string | undefined): SignatureParts {
  const malformed = (why: string) =>
    new S3ServerError('AuthorizationQueryParametersError', `The presigned URL is malformed; ${why}.`);
  if (value('X-Amz-Algorithm') !== ALGORITHM) throw malformed(`X-Amz-Algorithm must be ${ALGORITHM}`);
  const credential = value('X-Amz-Credential');
  const signedHeaders = value('X-Amz-SignedHeaders');
  const signature = value('X-Amz-Signature');
  const amzDate = value('X-Amz-Date');
  const expires = value('X-Amz-Expires');
  if (!credential || !signedHeaders || !signature || !amzDate || !expires) {
    throw malformed(
      'it needs X-Amz-Credential, X-Amz-SignedHeaders, X-Amz-Signature, X-Amz-Date and X-Amz-Expires',
    );
  }
  const expiresS = Number(expires);
  if (!/^\d+$/.test(expires) || expiresS < 1 || expiresS > MAX_EXPIRES_S) {
    throw malformed(`X-Amz-Expires must be between 1 and ${MAX_EXPIRES_S} seconds`);
  }
  return {
    ...scopeParts(credential, malformed),
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    payloadHash: value('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
    presigned: true,
    expiresS,
  };
}

function scopeParts(
  credential: string,
  malformed: (why: string) => S3ServerError,
): Pick<SignatureParts, 'accessKeyId' | 'scope' | 'scopeDate' | 'region' | 'service'> {
  const pieces = credential.split('/');
  const [accessKeyId, scopeDate, region, service, terminator] = pieces;
  if (
    pieces.length !== 5 ||
    !accessKeyId ||
    !/^\d{8}$/.test(scopeDate ?? '') ||
    !region ||
    service !== 's3' ||
    terminator !== 'aws4_request'
  ) {
    throw malformed('the credential must be <key>/<yyyymmdd>/<region>/s3/aws4_request');
  }
  return {
    accessKeyId,
    scope: pieces.slice(1).join('/'),
    scopeDate: scopeDate as string,
    region,
    service,
  };
}

function checkTime(parts: SignatureParts, now: Date): void {
  const match = AMZ_DATE.exec(parts.amzDate);
  if (!match || !parts.amzDate.startsWith(parts.scopeDate)) {
    throw new S3ServerError(
      parts.presigned ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed',
      'X-Amz-Date must be <yyyymmdd>T<hhmmss>Z and match the date of the credential scope.',
    );
  }
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const signedAt = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  if (parts.presigned) {
    if (now.getTime() > signedAt + (parts.expiresS ?? 0) * 1000)
      throw new S3ServerError('AccessDenied', 'Request has expired');
    if (signedAt - now.getTime() > MAX_SKEW_MS)
      throw new S3ServerError('AccessDenied', 'Request is not valid yet');
    return;
  }
  if (Math.abs(now.getTime() - signedAt) > MAX_SKEW_MS) {
    throw new S3ServerError(
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
      { RequestTime: parts.amzDate, ServerTime: now.toISOString() },
    );
  }
}

function canonicalRequest(
  req: IncomingMessage,
  path: string,
  query: [string, string][],
  parts: SignatureParts,
): string {
  if (!parts.signedHeaders.includes('host')) {
    throw new S3ServerError('AccessDenied', 'Access Denied: the signature must cover the host header.');
  }
  const canonicalQuery = query
    .filter(([k]) => !(parts.presigned && k === 'X-Amz-Signature'))
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = parts.signedHeaders
    .map((name) => {
      const values = req.headersDistinct[name];
      if (!values) {
        throw new S3ServerError('SignatureDoesNotMatch', `The signed header ${name} is missing.`);
      }
      return `${name}:${values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',')}\n`;
    })
    .join('');
  return [
    req.method ?? 'GET',
    path,
    canonicalQuery,
    canonicalHeaders,
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
}

/** Query pairs as sent, decoded (`+` stays `+`: SigV4 clients encode a space as `%20`). */
function parseQuery(raw: string): [string, string][] {
  if (raw === '') return [];
  return raw.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    try {
      return [decodeURIComponent(name), decodeURIComponent(value)];
    } catch {
      throw new S3ServerError('InvalidURI', "Couldn't parse the specified URI.");
    }
  });
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
