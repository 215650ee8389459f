/**
 * Authentication: a bearer token compared in constant time (web-standard APIs only), and for browsers following
 * links, a session cookie derived from the token.
 *
 * Browser flow: `GET <page>?token=<t>` → the token is verified, `graft_session=<expiry>.<HMAC-SHA256>` is set
 * for 12 hours (`HttpOnly; SameSite=Strict; Path=/; Max-Age`, `Secure` over https; the server checks the expiry
 * too) and the answer is a 303 to the same URL without the token. Later GET/HEAD requests authenticate with that cookie. Requests that change state (POST, …) need
 * the bearer header: a cookie alone never authorises them (no cross-site request forgery through the cookie).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { ApiError } from './errors.js';
import { signInPage } from './pages/sign-in.js';

const encoder = new TextEncoder();

/**
 * Name of the session cookie.
 *
 * @example
 * ```ts
 * getCookie(c, SESSION_COOKIE);
 * ```
 */
export const SESSION_COOKIE = 'graft_session';

/**
 * Compares a given secret with the expected one in time that depends only on the expected one's length: every byte of
 * `secret` is compared (a shorter `given` reads as zeros, a different length is a mismatch), without an early exit.
 * Synchronous on purpose: Web Crypto's digest runs on Node's thread pool, and two such hops per request cost every
 * prediction a wake-up of another thread.
 *
 * @example
 * ```ts
 * timingSafeEqualText('s3cret', 's3cret'); // true
 * timingSafeEqualText('guess', 's3cret'); // false
 * ```
 */
export function timingSafeEqualText(given: string, secret: string): boolean {
  return timingSafeEqualBytes(encoder.encode(given), encoder.encode(secret));
}

function timingSafeEqualBytes(given: Uint8Array, secret: Uint8Array): boolean {
  let diff = given.length === secret.length ? 0 : 1;
  for (let i = 0; i < secret.length; i++) diff |= (given[i] ?? 0) ^ (secret[i] ?? 0);
  return diff === 0;
}

/** How long a session cookie is valid (and kept by the browser): 12 hours. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

/**
 * The session cookie value for a token, valid until `expiresAt` (Unix seconds): `<expiresAt>.<mac>`, where mac is
 * base64url of HMAC-SHA256 keyed with the token over a label and `expiresAt`. The cookie never carries the token,
 * changes when the token is rotated, and cannot be extended without the token.
 *
 * @example
 * ```ts
 * const value = await sessionValue('s3cret-token', Math.floor(Date.now() / 1000) + 3600); // '1795…. 43 chars'
 * ```
 */
export async function sessionValue(token: string, expiresAt: number): Promise<string> {
  if (!Number.isSafeInteger(expiresAt) || expiresAt < 0)
    throw new RangeError(`expiresAt must be Unix seconds`);
  const key = await hmacKey(token);
  const label = encoder.encode(`graft-session-v2:${expiresAt}`);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, label));
  const encoded = btoa(String.fromCharCode(...mac))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  return `${expiresAt}.${encoded}`;
}

/** The HMAC key of the last token asked for: every cookie request checks against the same token. */
let lastKey: { token: string; key: Promise<CryptoKey> } | undefined;

function hmacKey(token: string): Promise<CryptoKey> {
  if (lastKey?.token !== token) {
    const key = crypto.subtle.importKey(
      'raw',
      encoder.encode(token),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    lastKey = { token, key };
  }
  return lastKey.key;
}

/**
 * Whether a session cookie value is one {@link sessionValue} made for `token` and has not expired at `nowSeconds`.
 *
 * @example
 * ```ts
 * await sessionStatus('s3cret-token', cookie, Date.now() / 1000); // 'valid' | 'expired' | 'invalid'
 * ```
 */
export async function sessionStatus(
  token: string,
  value: string,
  nowSeconds: number,
): Promise<'valid' | 'expired' | 'invalid'> {
  const match = /^(\d{1,12})\.[A-Za-z0-9_-]{43}$/.exec(value);
  if (!match) return 'invalid';
  const expiresAt = Number(match[1]);
  if (!timingSafeEqualText(value, await sessionValue(token, expiresAt))) return 'invalid';
  return expiresAt > nowSeconds ? 'valid' : 'expired';
}

/**
 * Sets the session cookie on the response, valid for {@link SESSION_TTL_SECONDS}.
 *
 * @example
 * ```ts
 * await startSession(c, token);
 * ```
 */
export async function startSession(c: Context, token: string, nowMs = Date.now()): Promise<void> {
  const expiresAt = Math.floor(nowMs / 1000) + SESSION_TTL_SECONDS;
  setCookie(c, SESSION_COOKIE, await sessionValue(token, expiresAt), {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    maxAge: SESSION_TTL_SECONDS,
    secure: new URL(c.req.url).protocol === 'https:',
  });
}

const isSafe = (method: string) => method === 'GET' || method === 'HEAD';
const wantsHtml = (c: Context) => isSafe(c.req.method) && /text\/html/i.test(c.req.header('accept') ?? '');

/**
 * Middleware for pages opened from a link: a GET with `?token=` verifies the token, sets the session cookie and
 * redirects (303) to the same URL without the token (relative `Location`, so path prefixes survive). A wrong
 * token is a 401 (the sign-in page for browsers, JSON otherwise). Anything else passes through.
 *
 * @example
 * ```ts
 * app.use('/v1/*', tokenLink(token));
 * ```
 */
export function tokenLink(token: string, now: () => number = Date.now): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.method === 'GET' ? c.req.query('token') : undefined;
    if (given === undefined) return next();
    if (!timingSafeEqualText(given, token)) return unauthorized(c, 'invalid token', 'invalid_token');
    await startSession(c, token, now());
    const url = new URL(c.req.url);
    url.searchParams.delete('token');
    const last = url.pathname.split('/').pop() ?? '';
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect(`${last || './'}${url.search}`, 303);
  };
}

/**
 * Middleware that requires `Authorization: Bearer <token>`, or for GET/HEAD the session cookie; anything else
 * is a 401 `unauthorized` (with the sign-in page when a browser asks for HTML).
 *
 * @example
 * ```ts
 * app.use('/v1/*', bearerToken('s3cret'));
 * ```
 */
export function bearerToken(token: string, now: () => number = Date.now): MiddlewareHandler {
  const expected = encoder.encode(token);
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) return unauthorized(c, 'missing bearer token (Authorization: Bearer <token>)');
      if (!timingSafeEqualBytes(encoder.encode(match[1] ?? ''), expected))
        return unauthorized(c, 'invalid bearer token', 'invalid_token');
      return next();
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie !== undefined && isSafe(c.req.method)) {
      const status = await sessionStatus(token, cookie, now() / 1000);
      if (status === 'valid') return next();
      const why =
        status === 'expired'
          ? 'the session has expired: open the link with ?token= again'
          : 'the session cookie is not valid (the token may have changed)';
      return unauthorized(c, why, 'invalid_token');
    }
    return unauthorized(c, 'missing bearer token (Authorization: Bearer <token>)');
  };
}

function unauthorized(c: Context, message: string, error?: 'invalid_token'): Response {
  c.header('WWW-Authenticate', `Bearer realm="graft"${error ? `, error="${error}"` : ''}`);
  if (wantsHtml(c)) return c.html(signInPage(message), 401);
  throw new ApiError('unauthorized', message);
}
