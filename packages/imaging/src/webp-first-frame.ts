import { fourcc, u24le, u32le } from './bytes.js';
import { CorruptImageError } from './errors.js';

/**
 * A still WebP holding the first frame of an animation, and where that frame sits on the canvas.
 *
 * @example
 * ```ts
 * const frame: WebpFrame = extractFirstWebpFrame(animated);
 * ```
 */
export interface WebpFrame {
  still: Uint8Array;
  x: number;
  y: number;
  canvasWidth: number;
  canvasHeight: number;
}

interface Chunk {
  type: string;
  start: number;
  end: number;
}

/** Lists the RIFF chunks of `bytes[from, to)` (payload ranges, padded to even sizes). */
function chunks(bytes: Uint8Array, from: number, to: number): Chunk[] {
  const out: Chunk[] = [];
  let pos = from;
  while (pos + 8 <= to) {
    const size = u32le(bytes, pos + 4);
    const start = pos + 8;
    if (start + size > to) throw new CorruptImageError('WebP: a chunk runs past the end of the file');
    out.push({ type: fourcc(bytes, pos), start, end: start + size });
    pos = start + size + (size & 1);
  }
  return out;
}

const riff = (parts: Uint8Array[]): Uint8Array => {
  const size = 4 + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(8 + size);
  const view = new DataView(out.buffer);
  out.set([0x52, 0x49, 0x46, 0x46]); // RIFF
  view.setUint32(4, size, true);
  out.set([0x57, 0x45, 0x42, 0x50], 8); // WEBP
  let pos = 12;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
};

/** Re-emits a chunk (header + payload + padding) from the source bytes. */
const chunkBytes = (bytes: Uint8Array, c: Chunk): Uint8Array => {
  const padded = new Uint8Array(8 + c.end - c.start + ((c.end - c.start) & 1));
  padded.set(bytes.subarray(c.start - 8, c.end));
  return padded;
};

/**
 * Extracts the first frame (ANMF) of an animated WebP as a standalone still WebP that libwebp's
 * still-image decoder accepts, plus its offset on the animation canvas.
 *
 * @example
 * ```ts
 * const { still, x, y } = extractFirstWebpFrame(animatedBytes);
 * ```
 */
export function extractFirstWebpFrame(bytes: Uint8Array): WebpFrame {
  const top = chunks(bytes, 12, Math.min(bytes.length, 8 + u32le(bytes, 4)));
  const vp8x = top.find((c) => c.type === 'VP8X');
  const anmf = top.find((c) => c.type === 'ANMF');
  if (!vp8x || !anmf || anmf.end - anmf.start < 16)
    throw new CorruptImageError('WebP: animation has no frame');
  const canvasWidth = u24le(bytes, vp8x.start + 4) + 1;
  const canvasHeight = u24le(bytes, vp8x.start + 7) + 1;
  const x = u24le(bytes, anmf.start) * 2;
  const y = u24le(bytes, anmf.start + 3) * 2;
  const frameWidth = u24le(bytes, anmf.start + 6) + 1;
  const frameHeight = u24le(bytes, anmf.start + 9) + 1;
  const inner = chunks(bytes, anmf.start + 16, anmf.end);
  const alph = inner.find((c) => c.type === 'ALPH');
  const image = inner.find((c) => c.type === 'VP8 ' || c.type === 'VP8L');
  if (!image) throw new CorruptImageError('WebP: the first animation frame has no image data');
  if (x + frameWidth > canvasWidth || y + frameHeight > canvasHeight) {
    throw new CorruptImageError('WebP: the first frame lies outside the canvas');
  }
  if (!alph) return { still: riff([chunkBytes(bytes, image)]), x, y, canvasWidth, canvasHeight };
  const header = new Uint8Array(18);
  const view = new DataView(header.buffer);
  header.set([0x56, 0x50, 0x38, 0x58]); // VP8X
  view.setUint32(4, 10, true);
  header[8] = 0x10; // alpha flag
  view.setUint16(12, (frameWidth - 1) & 0xffff, true);
  header[14] = ((frameWidth - 1) >> 16) & 0xff;
  view.setUint16(15, (frameHeight - 1) & 0xffff, true);
  header[17] = ((frameHeight - 1) >> 16) & 0xff;
  const still = riff([header, chunkBytes(bytes, alph), chunkBytes(bytes, image)]);
  return { still, x, y, canvasWidth, canvasHeight };
}
