import { type Backbone, disposeWeights } from '@graft/core';

const cache = new Map<string, Promise<Backbone>>();

/**
 * The process-wide backbone of one id, weights and input size (built once with `build`; a failed build is not
 * kept). Callers share it: they must not dispose it or change its layers.
 *
 * @example
 * ```ts
 * const backbone = await cachedBackbone({ id, sha256, inputSize: 96 }, () => loadArtifacts(artifacts, { name: id }, 96));
 * ```
 */
export function cachedBackbone(
  of: { id: string; sha256: string; inputSize: number },
  build: () => Promise<Backbone>,
): Promise<Backbone> {
  const key = `${of.id}|${of.sha256}|${of.inputSize}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = build();
    cache.set(key, entry);
    entry.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
  }
  return entry;
}

/**
 * Frees every backbone `loadBackbone` cached in this process (a job process that is done with them, tests);
 * returns how many. Backbones handed out before must not be used afterwards.
 *
 * @example
 * ```ts
 * await disposeBackbones();
 * ```
 */
export async function disposeBackbones(): Promise<number> {
  const all = [...cache.values()];
  cache.clear();
  let n = 0;
  for (const entry of await Promise.allSettled(all)) {
    if (entry.status !== 'fulfilled') continue;
    disposeWeights([entry.value.model]);
    n++;
  }
  return n;
}
