/**
 * Bearer-token authentication with a constant-time comparison (Web Crypto only).
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.js';

const encoder = new TextEncoder();

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
 * Middleware that requires `Authorization: Bearer <token>`; anything else is a 401 `unauthorized`.
 *
 * @example
 * ```ts
 * app.use('/v1/*', bearerToken('s3cret'));
 * ```
 */
export function bearerToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer realm="graft"');
      throw new ApiError(401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
    }
    if (!(await timingSafeEqualText(match[1] ?? '', token))) {
      c.header('WWW-Authenticate', 'Bearer realm="graft", error="invalid_token"');
      throw new ApiError(401, 'unauthorized', 'invalid bearer token');
    }
    await next();
  };
}
