/**
 * Seeded mutations of valid image files: bit flips, truncations, chunk (PNG) and marker segment (JPEG) splices,
 * RIFF chunk damage (WebP), and header fields set to their extremes.
 */

/** One mutation: its name and the mutated bytes. */
export interface Mutation {
  kind: string;
  bytes: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const EXTREMES = [0, 1, 2, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff];

type Rand = () => number;
const int = (rand: Rand, n: number) => Math.floor(rand() * n);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)]!;

/**
 * A mutation of `source` chosen with `rand`; the source is never changed.
 *
 * @example
 * ```ts
 * const { kind, bytes } = mutateImage(png, seededRandom(1));
 * ```
 */
export function mutateImage(source: Uint8Array, rand: Rand): Mutation {
  const kinds = ['bitflip', 'truncate', 'splice', 'header', 'junk', 'repeat'] as const;
  const kind = pick(rand, kinds);
  if (kind === 'bitflip') return { kind, bytes: flipBits(source, rand, 1 + int(rand, 16)) };
  if (kind === 'truncate') return { kind, bytes: source.slice(0, int(rand, source.length)) };
  if (kind === 'splice') return splice(source, rand);
  if (kind === 'header') return { kind, bytes: headerExtreme(source, rand) };
  if (kind === 'junk') return { kind, bytes: insertJunk(source, rand) };
  return { kind, bytes: repeatRange(source, rand) };
}

function flipBits(source: Uint8Array, rand: Rand, count: number): Uint8Array {
  const out = source.slice();
  // Most of a decoder's decisions are in the first bytes: aim half of the flips there.
  for (let i = 0; i < count && out.length > 0; i++) {
    const at = rand() < 0.5 ? int(rand, Math.min(out.length, 512)) : int(rand, out.length);
    out[at]! ^= 1 << int(rand, 8);
  }
  return out;
}

function insertJunk(source: Uint8Array, rand: Rand): Uint8Array {
  const at = int(rand, source.length + 1);
  const junk = Uint8Array.from({ length: 1 + int(rand, 64) }, () => int(rand, 256));
  return concat([source.subarray(0, at), junk, source.subarray(at)]);
}

function repeatRange(source: Uint8Array, rand: Rand): Uint8Array {
  const from = int(rand, source.length);
  const to = Math.min(source.length, from + 1 + int(rand, 4096));
  const times = 1 + int(rand, 8);
  const parts = [source.subarray(0, to)];
  for (let i = 0; i < times; i++) parts.push(source.subarray(from, to));
  parts.push(source.subarray(to));
  return concat(parts);
}

/** Segments of the file: PNG chunks, JPEG marker segments, RIFF chunks; else fixed 64-byte slices. */
function segments(bytes: Uint8Array): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    for (let at = 8; at + 12 <= bytes.length; ) {
      const end = at + 12 + view.getUint32(at);
      if (end > bytes.length) break;
      out.push({ start: at, end });
      at = end;
    }
  } else if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    for (let at = 2; at + 4 <= bytes.length && bytes[at] === 0xff; ) {
      const marker = bytes[at + 1]!;
      if (marker === 0xda || marker === 0xd9) {
        out.push({ start: at, end: bytes.length });
        break;
      }
      const end = at + 2 + view.getUint16(at + 2);
      if (end > bytes.length) break;
      out.push({ start: at, end });
      at = end;
    }
  } else if (bytes.length > 12 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF') {
    for (let at = 12; at + 8 <= bytes.length; ) {
      const size = view.getUint32(at + 4, true);
      const end = at + 8 + size + (size % 2);
      if (end > bytes.length) break;
      out.push({ start: at, end });
      at = end;
    }
  }
  if (out.length === 0)
    for (let at = 0; at < bytes.length; at += 64)
      out.push({ start: at, end: Math.min(bytes.length, at + 64) });
  return out;
}

function splice(source: Uint8Array, rand: Rand): Mutation {
  const parts = segments(source);
  const a = pick(rand, parts);
  const b = pick(rand, parts);
  const op = pick(rand, ['drop', 'duplicate', 'swap', 'move'] as const);
  const before = source.subarray(0, a.start);
  const seg = source.subarray(a.start, a.end);
  const after = source.subarray(a.end);
  if (op === 'drop') return { kind: 'splice-drop', bytes: concat([before, after]) };
  if (op === 'duplicate') return { kind: 'splice-duplicate', bytes: concat([before, seg, seg, after]) };
  if (op === 'move') {
    const rest = concat([before, after]);
    const at = Math.min(rest.length, b.start);
    return { kind: 'splice-move', bytes: concat([rest.subarray(0, at), seg, rest.subarray(at)]) };
  }
  const [first, second] = a.start <= b.start ? [a, b] : [b, a];
  if (first.end > second.start) return { kind: 'splice-duplicate', bytes: concat([before, seg, seg, after]) };
  return {
    kind: 'splice-swap',
    bytes: concat([
      source.subarray(0, first.start),
      source.subarray(second.start, second.end),
      source.subarray(first.end, second.start),
      source.subarray(first.start, first.end),
      source.subarray(second.end),
    ]),
  };
}

/** Sets a size or header field to an extreme: PNG IHDR, JPEG SOF, WebP VP8/VP8L/VP8X dimensions, or any 4 bytes. */
function headerExtreme(source: Uint8Array, rand: Rand): Uint8Array {
  const out = source.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const value = pick(rand, EXTREMES);
  const parts = segments(source);
  const isPng = PNG_SIGNATURE.every((b, i) => source[i] === b);
  if (isPng && out.length >= 33) {
    // IHDR: width @16, height @20, bit depth @24, colour type @25, compression @26, filter @27, interlace @28.
    const field = pick(rand, [16, 20, 24, 25, 26, 27, 28]);
    if (field < 24) view.setUint32(field, value >>> 0);
    else out[field] = value & 0xff;
    return out;
  }
  if (source[0] === 0xff && source[1] === 0xd8) {
    const sof = parts.find((p) => [0xc0, 0xc1, 0xc2].includes(source[p.start + 1]!));
    if (sof && sof.start + 9 < out.length) {
      // SOF: precision @4, height @5, width @7, components @9.
      const field = pick(rand, [4, 5, 7, 9]);
      if (field === 5 || field === 7) view.setUint16(sof.start + field, value & 0xffff);
      else out[sof.start + field] = value & 0xff;
      return out;
    }
  }
  // Any segment length or size field: the 4 bytes after a segment's start.
  const seg = pick(rand, parts);
  const at = Math.min(out.length - 4, seg.start + int(rand, 8));
  if (at >= 0) view.setUint32(at, value >>> 0, rand() < 0.5);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
