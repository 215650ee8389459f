/**
 * Compares two strings by their UTF-8 bytes (S3's listing order), which equals code point order:
 * UTF-16 order except that surrogate pairs (code points above U+FFFF) sort after U+E000–U+FFFF.
 *
 * @example
 * ```ts
 * ['a/b', 'a-c'].sort(byteCompare); // ['a-c', 'a/b']
 * ```
 */
export function byteCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
