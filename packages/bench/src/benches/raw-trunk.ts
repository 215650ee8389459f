import { WorkerPool } from '@graft/local-aws';

/** What the raw baseline runs: the extractor's trunk (same input size and cut). */
export interface RawTrunkConfig {
  inputSize: number;
  cut: string;
}

/** One worker's answer: how long its images took, and where the extractor stores that trunk's features. */
export interface RawTrunkReply {
  ms: number;
  featureKeyPrefix: string;
}

/**
 * The raw trunk throughput of `threads` worker threads running the compiled trunk at once (batch 1, input already
 * a tensor, as the extractor runs it). Measured with the same number of threads as the pipeline has workers, so
 * the baseline includes whatever the machine loses when its cores run together (these VMs' two vCPUs share one
 * physical core, so two threads are far from twice one).
 *
 * @example
 * ```ts
 * const raw = await startRawTrunk({ inputSize: 96, cut: 'block_13_expand_relu' }, 2);
 * const imagesPerSec = await raw.imagesPerSec(30);
 * await raw.close();
 * ```
 */
export async function startRawTrunk(config: RawTrunkConfig, threads: number) {
  const pool = new WorkerPool<{ iterations: number }, RawTrunkReply>({
    entry: new URL('./raw-trunk-worker.ts', import.meta.url),
    size: threads,
    config,
  });
  const [first] = await Promise.all(Array.from({ length: threads }, () => pool.run({ iterations: 2 })));
  return {
    featureKeyPrefix: first!.featureKeyPrefix,
    /** Images per second of all threads together, each running `iterations` images. */
    async imagesPerSec(iterations: number): Promise<number> {
      const t0 = performance.now();
      await Promise.all(Array.from({ length: threads }, () => pool.run({ iterations })));
      return (threads * iterations * 1000) / (performance.now() - t0);
    },
    close: () => pool.close(),
  };
}
