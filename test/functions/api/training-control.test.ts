/**
 * `DELETE /v1/trainings/{id}` and `POST /v1/trainings/{id}/rerun` over the real job store in the embedded S3.
 */
import { JobStore } from '@graft/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreApp, type JobRunner } from '../../../functions/api/src/index.js';
import { startTestS3, type TestS3 } from '../../storage/local-s3-fixture.js';
import { auth, TOKEN } from './fakes.js';

class Runner implements JobRunner {
  readonly submitted: string[] = [];
  readonly cancelled: [string, string | undefined][] = [];
  async submit(id: string) {
    this.submitted.push(id);
    return { runnerJobId: `runner-${id}` };
  }
  async cancel(id: string, runnerJobId?: string) {
    this.cancelled.push([id, runnerJobId]);
  }
}

let s3: TestS3;
let jobs: JobStore;
let runner: Runner;
let app: ReturnType<typeof createStoreApp>;
const json = { ...auth, 'content-type': 'application/json' };

beforeAll(async () => {
  s3 = await startTestS3();
  jobs = new JobStore(s3.store);
  runner = new Runner();
  app = createStoreApp(s3.store, { runner, token: TOKEN });
});
afterAll(async () => s3?.close());

async function submit(): Promise<string> {
  const res = await app.request('/v1/trainings', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ dataset: 'digits', model: 'digits', options: { epochs: 3 } }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const del = (id: string) => app.request(`/v1/trainings/${id}`, { method: 'DELETE', headers: auth });
const rerun = (id: string) => app.request(`/v1/trainings/${id}/rerun`, { method: 'POST', headers: auth });

describe('cancel and rerun', () => {
  it('cancels a queued job: the record says cancelled, the runner is told, the marker is written', async () => {
    const id = await submit();
    const res = await del(id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, status: 'cancelled', error: { code: 'cancelled' } });
    // The runner's own id for the job, stored at submission, is what it is given to stop it.
    expect(runner.cancelled).toContainEqual([id, `runner-${id}`]);
    expect(await jobs.cancelRequested(id)).toBe(true);
    // Cancelling again is harmless.
    expect((await del(id)).status).toBe(200);
  });

  it('cancels a running job', async () => {
    const id = await submit();
    await jobs.update(id, { status: 'running', progress: { phase: 'train', fraction: 0.5 } });
    const res = await del(id);
    expect(await res.json()).toMatchObject({ status: 'cancelled' });
  });

  it('refuses to cancel a job that has claimed its publish (409 job_publishing): it stays running, the runner is not told', async () => {
    const id = await submit();
    await jobs.update(id, { status: 'running', progress: { phase: 'publish', fraction: 0.96 } });
    expect(await jobs.claimPublish(id)).toBe(true);
    const res = await del(id);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('job_publishing');
    expect((await jobs.get(id)).status).toBe('running');
    expect(await jobs.cancelRequested(id)).toBe(false);
    expect(runner.cancelled.map(([cancelled]) => cancelled)).not.toContain(id);
  });

  it('refuses to cancel a finished job (409) and an unknown one (404)', async () => {
    const id = await submit();
    await jobs.update(id, { status: 'running' });
    await jobs.update(id, { status: 'succeeded' });
    const res = await del(id);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('job_finished');
    expect((await del('01NOSUCHJOB')).status).toBe(404);
    expect((await del('a..b')).status).toBe(400);
  });

  it('reruns an interrupted job as a new job with the same request; refuses a queued one', async () => {
    const id = await submit();
    expect(await jobs.markInterrupted()).toContain(id);
    const before = await jobs.get(id);
    expect(before).toMatchObject({ status: 'interrupted', error: { code: 'interrupted' } });
    const res = await rerun(id);
    expect(res.status).toBe(202);
    const again = (await res.json()) as { id: string; rerunOf: string };
    expect(again.rerunOf).toBe(id);
    expect(again.id).not.toBe(id);
    expect(runner.submitted).toContain(again.id);
    expect((await jobs.get(again.id)).spec).toEqual(before.spec);
    const queued = await rerun(again.id);
    expect(queued.status).toBe(409);
    expect(((await queued.json()) as { error: { code: string } }).error.code).toBe('job_not_rerunnable');
  });
});
