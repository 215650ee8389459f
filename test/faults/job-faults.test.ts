/**
 * A training job killed midway (its worker thread terminated) on the local runtime: the serving version stays,
 * no version is published, the job record says failed and why; a rerun on the fresh worker succeeds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SCENARIO_CONFIG, tinyModelFiles } from '@graft/bench';
import { encodePng } from '@graft/imaging';
import type { TrainingJob } from '@graft/jobs';
import { type Runtime, startRuntime } from '@graft/local-aws';
import { ModelRegistry } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let root: string;
let runtime: Runtime;
let registry: ModelRegistry;

const api = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${runtime.apiUrl}${p}`, {
    method,
    headers: { authorization: `Bearer ${runtime.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'graft-job-faults-'));
  runtime = await startRuntime({
    dataDir: root,
    port: 0,
    workers: 1,
    token: 'job-token-0123456789',
    log: () => {},
  });
  registry = new ModelRegistry(runtime.store);
  await runtime.store.put('datasets/jf/graft.json', JSON.stringify(SCENARIO_CONFIG));
  for (let i = 0; i < 24; i++) {
    const label = i % 2 ? 'light' : 'dark';
    const base = label === 'light' ? 180 : 30;
    const data = new Uint8ClampedArray(16 * 16 * 4).map((_, p) =>
      p % 4 === 3 ? 255 : base + ((p * 7 + i * 13) % 50),
    );
    await runtime.store.put(
      `datasets/jf/train/${label}/${i}.png`,
      await encodePng({ width: 16, height: 16, data }),
    );
  }
  await runtime.extractionIdle();
  // the version serving before any job runs
  await registry.publish('jf', { ...(await tinyModelFiles(1)), report: { note: 'serving before the jobs' } });
}, 90_000);

afterAll(async () => {
  await runtime?.close();
  await rm(root, { recursive: true, force: true });
});

describe('training job killed midway', () => {
  it('leaves the serving version untouched and the job failed with a reason; a rerun publishes', async () => {
    expect(runtime.stats.extracted).toBe(24);
    const spec = { dataset: 'jf', model: 'jf', strategy: 'feature-extraction' };
    const { id } = await api<TrainingJob>('POST', '/v1/trainings', { ...spec, options: { epochs: 400 } });
    // wait until it is really running (indexing/gathering/training), then kill its worker thread
    let seen: TrainingJob | undefined;
    for (let i = 0; i < 600; i++) {
      seen = await api<TrainingJob>('GET', `/v1/trainings/${id}`);
      if (seen.status === 'running' && (seen.progress?.fraction ?? 0) > 0) break;
      if (seen.status !== 'queued' && seen.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen?.status).toBe('running');
    await runtime.killJobWorker();
    await runtime.jobsIdle();

    const failed = await api<TrainingJob>('GET', `/v1/trainings/${id}`);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('job_crashed');
    expect(failed.error?.message).toMatch(/training worker died/);
    expect((await registry.getCurrent('jf'))?.version).toBe(1);
    expect(await registry.listVersions('jf')).toEqual([1]);
    const ready = await fetch(`${runtime.apiUrl}/v1/models/jf`, {
      headers: { authorization: `Bearer ${runtime.token}` },
    });
    expect(((await ready.json()) as { servingVersion?: number }).servingVersion).toBe(1);

    // rerun: a fresh worker takes the next job
    const rerun = await api<TrainingJob>('POST', '/v1/trainings', { ...spec, options: { epochs: 3 } });
    await runtime.jobsIdle();
    const done = await api<TrainingJob>('GET', `/v1/trainings/${rerun.id}`);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect((await registry.getCurrent('jf'))?.version).toBe(2);
    expect(await registry.listVersions('jf')).toEqual([1, 2]);
  }, 90_000);
});
