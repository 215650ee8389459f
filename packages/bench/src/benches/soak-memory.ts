/**
 * The soak's memory samples and what they say: RSS and each thread's heaps, sampled after a full garbage collection
 * in every thread (so garbage waiting for a collection does not count as growth), and the RSS growth after warm-up
 * as the change between the median of the samples in the first window after warm-up and in the last window.
 */
import type { RuntimeMemory } from '@graft/local-aws';
import type { MemorySample } from '@graft/runtime';
import { median, round } from './bench-stats.js';

/**
 * One thread group's heaps in MB: V8 heap used (live, after the GC) and committed, external memory (ArrayBuffers,
 * every WebAssembly memory of the thread), the tfjs wasm heap among it.
 */
export interface ThreadMemory {
  used: number;
  total: number;
  external: number;
  wasm: number;
}

/**
 * One memory sample: RSS, each thread group's heaps, and `otherMb` — what RSS holds beyond every V8 heap and
 * external allocation (code, stacks, native allocations V8 does not know about).
 */
export interface MemoryPoint {
  atS: number;
  /** Trainings published under load so far. */
  published: number;
  rssMb: number;
  otherMb: number;
  main: ThreadMemory;
  extract: ThreadMemory;
  job: ThreadMemory;
}

/**
 * A {@link MemoryPoint} from a runtime's memory sample.
 *
 * @example
 * ```ts
 * const point = memoryPoint(12, await runtime.memory({ collect: true }), 0);
 * ```
 */
export function memoryPoint(atS: number, m: RuntimeMemory, published: number): MemoryPoint {
  const group = (samples: (MemorySample | undefined)[]): ThreadMemory => {
    const sum = (key: keyof MemorySample) => samples.reduce((total, s) => total + (s?.[key] ?? 0), 0);
    return {
      used: round(sum('heapUsedMb'), 1),
      total: round(sum('heapTotalMb'), 1),
      external: round(sum('externalMb'), 1),
      wasm: round(sum('wasmHeapMb'), 1),
    };
  };
  const threads = { main: group([m.main]), extract: group(m.extractWorkers), job: group([m.jobWorker]) };
  const known = Object.values(threads).reduce((total, t) => total + t.total + t.external, 0);
  return {
    atS: round(atS, 0),
    published,
    rssMb: round(m.rssMb, 1),
    otherMb: round(m.rssMb - known, 1),
    ...threads,
  };
}

/** Medians of one window of samples: RSS and each thread group's live heap. */
export interface WindowMemory {
  fromS: number;
  toS: number;
  samples: number;
  rssMb: number;
  liveHeapMb: { main: number; extract: number; job: number };
}

/**
 * RSS growth after warm-up: warm-up ends with the first sample after the first training under load published (by
 * then the API has held two versions at once and the training worker has run under load: every heap at its working
 * size); the growth compares the medians of the samples in the first `windowS` after it and in the last `windowS`.
 * `undefined` when the run is too short to have both windows apart.
 *
 * @example
 * ```ts
 * const growth = growthAfterWarmup(points, 180); // { growthPct: 1.2, afterWarmup: {…}, last: {…} }
 * ```
 */
export function growthAfterWarmup(
  points: MemoryPoint[],
  windowS: number,
): { warmupS: number; growthPct: number; afterWarmup: WindowMemory; last: WindowMemory } | undefined {
  const warm = points.find((p) => p.published >= 1 && points.some((q) => q.published >= 1 && q.atS < p.atS));
  const endS = points.at(-1)?.atS;
  if (!warm || endS === undefined || endS - windowS < warm.atS + windowS) return undefined;
  const afterWarmup = windowOf(points, warm.atS, warm.atS + windowS);
  const last = windowOf(points, endS - windowS, endS + 1);
  return {
    warmupS: warm.atS,
    growthPct: round((100 * (last.rssMb - afterWarmup.rssMb)) / afterWarmup.rssMb, 1),
    afterWarmup,
    last,
  };
}

function windowOf(points: MemoryPoint[], fromS: number, toS: number): WindowMemory {
  const inside = points.filter((p) => p.atS >= fromS && p.atS < toS);
  // A worker busy in a long synchronous stretch misses a sample (its figures are 0): the medians skip those.
  const med = (pick: (p: MemoryPoint) => number) => round(median(inside.map(pick).filter((v) => v > 0)), 1);
  return {
    fromS: round(fromS, 0),
    toS: round(Math.min(toS, inside.at(-1)?.atS ?? toS), 0),
    samples: inside.length,
    rssMb: med((p) => p.rssMb),
    liveHeapMb: {
      main: med((p) => p.main.used),
      extract: med((p) => p.extract.used),
      job: med((p) => p.job.used),
    },
  };
}
