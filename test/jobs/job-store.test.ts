import { JobStore } from '@graft/jobs';
import { InvalidArgumentError, InvalidJobTransitionError, NotFoundError } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from '../storage/local-s3-fixture.js';

let t: TestS3;
beforeAll(async () => {
  t = await startTestS3('jobs');
});
afterAll(async () => {
  await t.close();
});

describe('JobStore', () => {
  it('creates, updates through the life cycle and lists in creation order', async () => {
    const jobs = new JobStore(t.store);
    const id = await jobs.create({ dataset: 'pets', strategy: 'auto' });
    const second = await jobs.create({ dataset: 'digits' });
    expect(id < second).toBe(true);
    const created = await jobs.get(id);
    expect(created).toMatchObject({ id, status: 'queued', spec: { dataset: 'pets', strategy: 'auto' } });

    const running = await jobs.update(id, {
      status: 'running',
      progress: { phase: 'train', epoch: 1, epochs: 10, batch: 3, fraction: 0.1, message: 'epoch 1' },
    });
    expect(running.status).toBe('running');
    const done = await jobs.update(id, { status: 'succeeded', result: { version: 3 } });
    expect(await jobs.get(id)).toEqual(done);
    expect(done.progress?.epoch).toBe(1);
    await expect(jobs.update(id, { status: 'running' })).rejects.toBeInstanceOf(InvalidJobTransitionError);
    await expect(jobs.update(second, { status: 'succeeded' })).rejects.toBeInstanceOf(
      InvalidJobTransitionError,
    );
    await jobs.update(second, { status: 'failed', error: { code: 'no_data', message: 'empty data set' } });

    expect((await jobs.list()).map((j) => j.id)).toEqual([id, second]);
    expect((await jobs.list({ status: 'failed' })).map((j) => j.id)).toEqual([second]);
    expect(await jobs.list({ limit: 1 })).toHaveLength(1);
  });

  it('rejects bad patches and unknown ids', async () => {
    const jobs = new JobStore(t.store);
    const id = await jobs.create({});
    await expect(jobs.update(id, { progress: { phase: 'x', fraction: 1.5 } })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(jobs.update(id, { status: 'paused' as 'queued' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(jobs.get('01AAAAAAAAAAAAAAAAAAAAAAAA')).rejects.toBeInstanceOf(NotFoundError);
    await expect(jobs.get('../x')).rejects.toMatchObject({ code: 'invalid_name' });
  });

  it('a cancel and a publish claim: whichever creates the marker first decides, each way, even when they race', async () => {
    const jobs = new JobStore(t.store);
    // The cancel first: the job may not publish; the record says cancelled.
    const cancelledFirst = await jobs.create({});
    await jobs.update(cancelledFirst, { status: 'running' });
    expect((await jobs.cancel(cancelledFirst)).status).toBe('cancelled');
    expect(await jobs.claimPublish(cancelledFirst)).toBe(false);
    expect(await jobs.cancelRequested(cancelledFirst)).toBe(true);
    // The claim first: the cancel changes nothing, the job goes on to succeed.
    const claimedFirst = await jobs.create({});
    await jobs.update(claimedFirst, { status: 'running' });
    expect(await jobs.claimPublish(claimedFirst)).toBe(true);
    expect((await jobs.cancel(claimedFirst)).status).toBe('running');
    expect(await jobs.cancelRequested(claimedFirst)).toBe(false);
    expect((await jobs.update(claimedFirst, { status: 'succeeded' })).status).toBe('succeeded');
    // At the same moment, many times over: exactly one side wins each race, and the record agrees with it.
    for (let i = 0; i < 20; i++) {
      const id = await jobs.create({});
      await jobs.update(id, { status: 'running' });
      const [claimed, after] = await Promise.all([jobs.claimPublish(id), jobs.cancel(id)]);
      expect(after.status).toBe(claimed ? 'running' : 'cancelled');
      expect(await jobs.cancelRequested(id)).toBe(!claimed);
    }
  });
});
