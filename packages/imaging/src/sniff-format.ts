import type { ImageFormat } from './types.js';

/**
 * What a byte string looks like: a supported {@link ImageFormat} or something Graft recognises and rejects.
 *
 * @example
 * ```ts
 * const kind: SniffedFormat = sniffFormat(bytes); // 'jpeg' | 'gif' | 'html' | ...
 * ```
 */
export type SniffedFormat =
  | ImageFormat
  | 'gif'
  | 'pdf'
  | 'bmp'
  | 'tiff'
  | 'heif'
  | 'html'
  | 'text'
  | 'empty'
  | 'unknown';

const startsWith = (bytes: Uint8Array, sig: readonly number[], at = 0): boolean =>
  bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/**
 * Identifies the format by its magic bytes (never by file name). Never throws.
 *
 * @example
 * ```ts
 * sniffFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])); // 'jpeg'
 * sniffFormat(new TextEncoder().encode('<!doctype html>')); // 'html'
 * ```
 */
export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  if (bytes.length === 0) return 'empty';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  if (startsWith(bytes, ascii('%PDF-'))) return 'pdf';
  if (startsWith(bytes, ascii('BM')) && bytes.length >= 26) return 'bmp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'tiff';
  if (startsWith(bytes, ascii('ftyp'), 4)) return 'heif';
  return sniffText(bytes);
}

/** Classifies the first 512 bytes as html, text (valid UTF-8 without control bytes) or unknown binary. */
function sniffText(bytes: Uint8Array): SniffedFormat {
  const head = bytes.subarray(0, 512);
  let start = startsWith(head, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (start < head.length && isSpace(head[start]!)) start++;
  const isText = isUtf8Text(head);
  if (head[start] === 0x3c /* < */) return isText || looksLikeMarkup(head, start) ? 'html' : 'unknown';
  return isText ? 'text' : 'unknown';
}

function isUtf8Text(head: Uint8Array): boolean {
  for (const b of head) if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true }); // a cut multi-byte tail is fine
    return true;
  } catch {
    return false;
  }
}

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

function looksLikeMarkup(head: Uint8Array, start: number): boolean {
  const tag = String.fromCharCode(...head.subarray(start, start + 16)).toLowerCase();
  return ['<!doctype', '<html', '<?xml', '<svg', '<head', '<body'].some((t) => tag.startsWith(t));
}
