const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32
let lastTime = -1;
let lastRandom: number[] = [];

/**
 * A ULID: 26 characters, 48-bit millisecond time + 80 random bits, Crockford base32. Ids sort by
 * creation time as plain strings, and are strictly increasing within one process (the random
 * part is incremented when two ids share a millisecond). Uses Web Crypto randomness.
 *
 * @example
 * ```ts
 * const a = ulid(); const b = ulid(); a < b; // true
 * ```
 */
export function ulid(now: number = Date.now()): string {
  let random: number[];
  if (now <= lastTime) {
    now = lastTime;
    random = increment(lastRandom);
  } else {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
    random = [...bytes].map((b) => b & 31);
  }
  lastTime = now;
  lastRandom = random;
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time + random.map((d) => ALPHABET[d]).join('');
}

function increment(digits: number[]): number[] {
  const out = [...digits];
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 31) {
      out[i]! += 1;
      return out;
    }
    out[i] = 0;
  }
  return out; // 2^80 ids in one millisecond: wraps (never happens)
}
