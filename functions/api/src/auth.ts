/**
 * Authentication: a bearer token compared in constant time (Web Crypto only), and for browsers following
 * links, a session cookie derived from the token.
 *
 * Browser flow: `GET <page>?token=<t>` → the token is verified, `graft_session=<HMAC-SHA256(t)>` is set
 * (`HttpOnly; SameSite=Strict; Path=/`, `Secure` over https) and the answer is a 303 to the same URL without
 * the token. Later GET/HEAD requests authenticate with that cookie. Requests that change state (POST, …) need
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

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/**
 * Compares two secrets in time independent of where they differ: both are hashed with SHA-256 (so the
 * lengths are equal too) and every byte of the digests is compared.
 *
 * @example
 * ```ts
 * await timingSafeEqualText('s3cret', 's3cret'); // true
 * ```
 */
export async function timingSafeEqualText(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256(a), sha256(b)]);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * The session cookie value for a token: base64url of HMAC-SHA256 keyed with the token over a fixed label, so
 * the cookie never carries the token itself and changes when the token is rotated.
 *
 * @example
 * ```ts
 * const value = await sessionValue('s3cret-token'); // 43 base64url characters
 * ```
 */
export async function sessionValue(token: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(token),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode('graft-session-v1')));
  return btoa(String.fromCharCode(...mac))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/**
 * Sets the session cookie on the response.
 *
 * @example
 * ```ts
 * await startSession(c, token);
 * ```
 */
export async function startSession(c: Context, token: string): Promise<void> {
  setCookie(c, SESSION_COOKIE, await sessionValue(token), {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
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
export function tokenLink(token: string): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.method === 'GET' ? c.req.query('token') : undefined;
    if (given === undefined) return next();
    if (!(await timingSafeEqualText(given, token))) return unauthorized(c, 'invalid token', 'invalid_token');
    await startSession(c, token);
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
export function bearerToken(token: string): MiddlewareHandler {
  let expectedSession: Promise<string> | undefined;
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) return unauthorized(c, 'missing bearer token (Authorization: Bearer <token>)');
      if (!(await timingSafeEqualText(match[1] ?? '', token)))
        return unauthorized(c, 'invalid bearer token', 'invalid_token');
      return next();
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie !== undefined && isSafe(c.req.method)) {
      expectedSession ??= sessionValue(token);
      if (await timingSafeEqualText(cookie, await expectedSession)) return next();
      return unauthorized(c, 'the session cookie is not valid (the token may have changed)', 'invalid_token');
    }
    return unauthorized(c, 'missing bearer token (Authorization: Bearer <token>)');
  };
}

function unauthorized(c: Context, message: string, error?: 'invalid_token'): Response {
  c.header('WWW-Authenticate', `Bearer realm="graft"${error ? `, error="${error}"` : ''}`);
  if (wantsHtml(c)) return c.html(signInPage(message), 401);
  throw new ApiError(401, 'unauthorized', message);
}
