/**
 * Maps every failure to the one JSON error shape `{ error: { code, message } }`.
 */

import { GraftError } from '@graft/errors';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { OverloadedError } from './errors.js';

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
 * The HTTP status of every error code the API answers with: its own errors (errors.ts), the image errors of
 * `@graft/imaging` and the backbone registry's (`@graft/backbones`; a refused URL is core's `source_not_allowed`).
 * Library errors carry no status; this table is the one place codes become statuses. A code that is not here is a
 * bug and answers 500 `internal`.
 *
 * @example
 * ```ts
 * ERROR_STATUS.corrupt_image; // 422
 * ERROR_STATUS.model_not_found; // 404
 * ```
 */
export const ERROR_STATUS: Readonly<Record<string, ContentfulStatusCode>> = {
  // the request
  invalid_request: 400,
  over_budget: 400,
  unauthorized: 401,
  // images (@graft/imaging)
  empty_image: 400,
  unsupported_format: 415,
  corrupt_image: 422,
  invalid_image: 422,
  image_too_large: 413,
  // what the request names
  model_not_found: 404,
  version_not_found: 404,
  job_not_found: 404,
  object_not_found: 404,
  test_image_not_found: 404,
  backbone_not_found: 404,
  no_serving_version: 409,
  job_finished: 409,
  job_publishing: 409,
  job_not_rerunnable: 409,
  // backbones (@graft/backbones, @graft/core)
  invalid_backbone: 400,
  invalid_name: 400,
  invalid_key: 400,
  source_not_allowed: 403,
  backbone_exists: 409,
  backbone_too_large: 413,
  // this deployment
  not_configured: 501,
  job_submit_failed: 502,
  model_unavailable: 503,
  overloaded: 503,
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
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = HTTP_CODES[status] ?? (status >= 500 ? 'internal' : 'http_error');
    return { status, body: errorBody(code, err.message || defaultMessage(status)) };
  }
  if (err instanceof GraftError && Object.hasOwn(ERROR_STATUS, err.code)) {
    return { status: ERROR_STATUS[err.code]!, body: errorBody(err.code, err.message) };
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
  if (err instanceof OverloadedError) c.header('Retry-After', String(err.retryAfterSeconds));
  return c.json(body, status);
}
