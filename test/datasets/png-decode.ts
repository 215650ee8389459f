import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { decode, init } from '@jsquash/png/decode.js';

let ready: Promise<unknown> | undefined;

/** Decodes a PNG with @jsquash/png (an independent decoder, not ours) into RGBA. */
export async function decodePng(
  bytes: Uint8Array,
): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasm = join(dirname(require.resolve('@jsquash/png/package.json')), 'codec/pkg/squoosh_png_bg.wasm');
    await init(await WebAssembly.compile(await readFile(wasm)));
  })();
  await ready;
  const image = await decode(new Uint8Array(bytes).buffer);
  return { width: image.width, height: image.height, data: image.data };
}
