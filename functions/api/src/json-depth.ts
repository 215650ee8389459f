/**
 * Refuses JSON request bodies nested deeper than any request of the API needs, before anything parses them:
 * a body of 200,000 nested objects parses, but every recursive walk over it afterwards (validation, storing a
 * job record) overflows the stack.
 */
import type { MiddlewareHandler } from 'hono';
import { InvalidRequestError } from './errors.js';

/**
 * The deepest nesting of objects and arrays a JSON body may have (the deepest request, a training's
 * `options.augmentation`, is 3 deep).
 *
 * @example
 * ```ts
 * jsonDepth('{"a":[1]}') <= MAX_JSON_DEPTH; // true
 * ```
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of `{`/`[` in a JSON text (brackets inside strings do not count), stopping as soon as it
 * exceeds `limit`. Malformed text is left to the JSON parser.
 *
 * @example
 * ```ts
 * jsonDepth('{"a":{"b":"[["}}'); // 2
 * ```
 */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return deepest;
}

/**
 * Middleware: a JSON request body nested deeper than {@link MAX_JSON_DEPTH} → 400 `invalid_request`. The body
 * text stays cached on the request, so the route's validator reads it again without a second download.
 *
 * @example
 * ```ts
 * app.use('/v1/*', jsonDepthLimit());
 * ```
 */
export function jsonDepthLimit(limit = MAX_JSON_DEPTH): MiddlewareHandler {
  return async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type.trim())) {
      const depth = jsonDepth(await c.req.text(), limit);
      if (depth > limit) throw new InvalidRequestError(`the JSON body is nested deeper than ${limit} levels`);
    }
    await next();
  };
}
