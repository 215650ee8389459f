/**
 * What the request thread and an inference worker thread send each other (structured clones).
 */
import { GraftError } from '@graft/errors';
import type { Settled } from '../dynamic-batcher.js';
import type { Classification, ClassifyRequest } from '../ports.js';

/**
 * A batch for a worker.
 *
 * @example
 * ```ts
 * const message: BatchMessage = { id: 1, requests: [{ image: jpegBytes, options: { topK: 3 } }] };
 * ```
 */
export interface BatchMessage {
  id: number;
  requests: ClassifyRequest[];
}

/**
 * An error as it crosses threads: the code keeps its HTTP status at the API's edge.
 *
 * @example
 * ```ts
 * const e: WireError = { code: 'corrupt_image', message: 'the JPEG data ends early', name: 'CorruptImageError' };
 * ```
 */
export interface WireError {
  code?: string;
  message: string;
  name?: string;
}

/**
 * A worker's messages: ready (with the model's metadata), failed to start, or one batch's outcomes.
 *
 * @example
 * ```ts
 * const reply: WorkerReply = { id: 1, outcomes: [{ ok: false, error: { code: 'corrupt_image', message: '…' } }] };
 * ```
 */
export type WorkerReply =
  | { ready: true; meta: Record<string, unknown> }
  | { failed: WireError }
  | { id: number; outcomes: WireSettled[] }
  | { id: number; error: WireError };

/** One outcome on the wire. */
export type WireSettled = { ok: true; value: Classification } | { ok: false; error: WireError };

/**
 * An error as a {@link WireError}.
 *
 * @example
 * ```ts
 * toWire(new GraftError('corrupt_image', 'bad')); // { code: 'corrupt_image', message: 'bad', name: 'GraftError' }
 * ```
 */
export function toWire(error: unknown): WireError {
  if (error instanceof GraftError) return { code: error.code, message: error.message, name: error.name };
  if (error instanceof Error) return { message: error.message, name: error.name };
  return { message: String(error) };
}

/**
 * A {@link WireError} back as an error: a `GraftError` with its code (mapped to a status by the API), else an `Error`.
 *
 * @example
 * ```ts
 * fromWire({ code: 'corrupt_image', message: 'bad' }).code; // 'corrupt_image'
 * ```
 */
export function fromWire(wire: WireError): Error {
  const error = wire.code === undefined ? new Error(wire.message) : new GraftError(wire.code, wire.message);
  if (wire.name) error.name = wire.name;
  return error;
}

/**
 * Outcomes of a batch as they cross to the request thread.
 *
 * @example
 * ```ts
 * port.postMessage({ id, outcomes: settledToWire(await classifyBatch(bundle, requests)) });
 * ```
 */
export function settledToWire(outcomes: Settled<Classification>[]): WireSettled[] {
  return outcomes.map((o) => (o.ok ? o : { ok: false, error: toWire(o.error) }));
}
