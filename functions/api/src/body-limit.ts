/**
 * The request body limit, checked from the declared length when there is one. Hono's `bodyLimit` first asks for
 * `c.req.raw.body`; on Node that turns `@hono/node-server`'s lightweight request into a full `Request` whose body is a
 * web stream over the socket, so every prediction's bytes were then read through web streams instead of straight
 * from the socket (`graft bench api`, c=1: see BENCHMARKS.md).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Middleware: a body declared (`content-length`, no `transfer-encoding`) larger than `maxSize` bytes is refused with
 * `onError` before a byte of it is read, and a declared one within the limit passes untouched (Node's HTTP parser
 * never delivers more bytes than the declared length). A body without a declared length (chunked) is counted as it
 * streams, by Hono's `bodyLimit`, and refused as soon as it passes `maxSize`.
 *
 * @example
 * ```ts
 * app.use('/v1/*', bodySizeLimit(10 * 1024 * 1024, (c) => c.json({ error: { code: 'payload_too_large' } }, 413)));
 * ```
 */
export function bodySizeLimit(
  maxSize: number,
  onError: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined)
      return Number.parseInt(declared, 10) > maxSize ? onError(c) : next();
    return streamed(c, next);
  };
}
