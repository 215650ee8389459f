import type { BlobStore } from './blob-store.js';
import { CorruptDataError } from './errors.js';

/**
 * Reads and parses a JSON object. `NotFoundError` when absent, {@link CorruptDataError} when the
 * bytes are not JSON.
 *
 * @example
 * ```ts
 * const pointer = await readJson<{ version: number }>(store, 'models/pets/current.json');
 * ```
 */
export async function readJson<T>(store: BlobStore, key: string): Promise<T> {
  const bytes = await store.get(key);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (err) {
    throw new CorruptDataError(`${key} is not valid JSON`, { cause: err });
  }
}

/**
 * Serialises a JSON value and writes it with `application/json`.
 *
 * @example
 * ```ts
 * await writeJson(store, 'jobs/1.json', { status: 'queued' }, { ifNoneMatch: true });
 * ```
 */
export async function writeJson(
  store: BlobStore,
  key: string,
  value: unknown,
  options: { ifNoneMatch?: boolean } = {},
): Promise<void> {
  await store.put(key, JSON.stringify(value), { contentType: 'application/json', ...options });
}

/**
 * Bytes of a file given as bytes, text or a JSON-serialisable value.
 *
 * @example
 * ```ts
 * toFileBytes({ a: 1 }); // bytes of '{"a":1}'
 * ```
 */
export function toFileBytes(value: Uint8Array | string | object): Uint8Array {
  if (value instanceof Uint8Array) return value;
  return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
}
