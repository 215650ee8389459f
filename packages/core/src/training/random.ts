/**
 * A small seeded pseudo-random generator (mulberry32) returning floats in [0, 1).
 * Used for shuffles, validation splits and augmentation parameters so that runs are repeatable.
 *
 * @example
 * ```ts
 * const rand = seededRandom(42);
 * rand(); // 0.6011...
 * ```
 */
export function seededRandom(seed: number = Date.now()): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Returns a shuffled copy of `0..n-1` (Fisher–Yates with the given generator).
 *
 * @example
 * ```ts
 * const order = shuffledIndices(5, seededRandom(1)); // e.g. Int32Array [3, 0, 4, 1, 2]
 * ```
 */
export function shuffledIndices(n: number, rand: () => number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}
