import type { BlobBody } from './blob-store.js';

/**
 * Turns an async iterable of byte chunks into a web `ReadableStream` (what `@aws-sdk/lib-storage`
 * consumes), without buffering it.
 *
 * @example
 * ```ts
 * const stream = iterableToStream((async function* () { yield new Uint8Array([1, 2]); })());
 * ```
 */
export function iterableToStream(iterable: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = iterable[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}

/**
 * The body as bytes when it is already in memory (`Uint8Array` or `string`), else `undefined`.
 *
 * @example
 * ```ts
 * inMemoryBytes('hi'); // Uint8Array [104, 105]
 * ```
 */
export function inMemoryBytes(body: BlobBody): Uint8Array | undefined {
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  return undefined;
}

/**
 * Reads a whole web stream or async iterable of bytes into one `Uint8Array`.
 *
 * @example
 * ```ts
 * const bytes = await collectBytes(response.body);
 * ```
 */
export async function collectBytes(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const iterable = isReadableStream(source) ? readableStreamChunks(source) : source;
  for await (const chunk of iterable) {
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream | undefined)?.getReader === 'function';
}

async function* readableStreamChunks(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
