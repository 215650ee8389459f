/**
 * Maps every failure to the one JSON error shape `{ error: { code, message } }`.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from './errors.js';

/**
 * The JSON body of every error response.
 *
 * @example
 * ```ts
 * const body: ErrorBody = { error: { code: 'model_not_found', message: "model 'x' does not exist" } };
 * ```
 */
export interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * HTTP status for each image error `code` of `@graft/imaging`.
 *
 * @example
 * ```ts
 * IMAGE_ERROR_STATUS.corrupt_image; // 422
 * ```
 */
export const IMAGE_ERROR_STATUS: Readonly<Record<string, ContentfulStatusCode>> = {
  unsupported_format: 415,
  corrupt_image: 422,
  image_too_large: 413,
  empty_image: 400,
  invalid_image: 422,
};

const HTTP_CODES: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * Status and body for any thrown value. Unknown errors become 500 `internal` without leaking details.
 *
 * @example
 * ```ts
 * const { status, body } = toErrorResponse(new ModelNotFoundError('digits')); // 404, model_not_found
 * ```
 */
export function toErrorResponse(err: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (err instanceof ApiError) {
    return { status: err.status as ContentfulStatusCode, body: errorBody(err.code, err.message) };
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = HTTP_CODES[status] ?? (status >= 500 ? 'internal' : 'http_error');
    return { status, body: errorBody(code, err.message || defaultMessage(status)) };
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in IMAGE_ERROR_STATUS) {
    return {
      status: IMAGE_ERROR_STATUS[code] as ContentfulStatusCode,
      body: errorBody(code, (err as Error).message),
    };
  }
  return { status: 500, body: errorBody('internal', 'internal server error') };
}

/**
 * Builds an error body.
 *
 * @example
 * ```ts
 * c.json(errorBody('not_found', 'no route GET /nope'), 404);
 * ```
 */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

function defaultMessage(status: number): string {
  if (status === 400) return 'malformed request';
  if (status === 413) return 'payload too large';
  if (status === 415) return 'unsupported media type';
  return 'request failed';
}

/**
 * Hono `onError` handler answering with {@link toErrorResponse}; logs 5xx with the request id.
 *
 * @example
 * ```ts
 * app.onError(onError);
 * ```
 */
export function onError(err: Error, c: Context): Response {
  const { status, body } = toErrorResponse(err);
  if (status >= 500) {
    console.error(
      JSON.stringify({
        level: 'error',
        requestId: c.get('requestId'),
        code: body.error.code,
        error: String(err),
      }),
    );
  }
  const retryAfter = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof retryAfter === 'number') c.header('Retry-After', String(retryAfter));
  return c.json(body, status);
}
