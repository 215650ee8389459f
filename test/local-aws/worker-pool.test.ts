/**
 * WorkerPool: tasks run in real worker threads (TypeScript modules loaded through tsx), one task per worker at
 * a time; a worker that dies fails its task and is replaced.
 */
import { threadId } from 'node:worker_threads';
import { WorkerPool } from '@graft/local-aws';
import { afterEach, describe, expect, it } from 'vitest';
import type { EchoResult, EchoTask } from './fixtures/echo-worker.js';

const entry = new URL('./fixtures/echo-worker.ts', import.meta.url);
let pool: WorkerPool<EchoTask, EchoResult> | undefined;

afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('WorkerPool', () => {
  it('runs tasks in worker threads with the config, spreading concurrent tasks over the workers', async () => {
    pool = new WorkerPool<EchoTask, EchoResult>({ entry, size: 2, config: { prefix: 'p1' } });
    await pool.started();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => pool!.run({ kind: 'echo', value: i, delayMs: 30 })),
    );
    expect(results.map((r) => r.value)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(results.every((r) => r.prefix === 'p1')).toBe(true);
    const threads = new Set(results.map((r) => r.threadId));
    expect(threads.has(threadId)).toBe(false);
    expect(threads.size).toBe(2);
  });

  it('runs one task per worker at a time (size 1 serialises)', async () => {
    pool = new WorkerPool<EchoTask, EchoResult>({ entry, size: 1, config: { prefix: 'x' } });
    await pool.started();
    const started = performance.now();
    await Promise.all([0, 1, 2].map((value) => pool!.run({ kind: 'echo', value, delayMs: 60 })));
    expect(performance.now() - started).toBeGreaterThanOrEqual(170);
  });

  it('a task that throws rejects with its message; the worker keeps serving', async () => {
    pool = new WorkerPool<EchoTask, EchoResult>({ entry, size: 1, config: { prefix: 'x' } });
    await expect(pool.run({ kind: 'fail', message: 'bad task 42' })).rejects.toThrow('bad task 42');
    const first = await pool.run({ kind: 'echo', value: 1 });
    const second = await pool.run({ kind: 'echo', value: 2 });
    expect(first.threadId).toBe(second.threadId);
  });

  it('a killed worker fails its task and is replaced by a new thread', async () => {
    const exits: { index: number; code: number }[] = [];
    pool = new WorkerPool<EchoTask, EchoResult>({
      entry,
      size: 1,
      config: { prefix: 'x' },
      onWorkerExit: ({ index, code }) => exits.push({ index, code }),
    });
    const before = await pool.run({ kind: 'echo', value: 1 });
    const hung = pool.run({ kind: 'hang' });
    await new Promise((r) => setTimeout(r, 50));
    await pool.kill(0);
    await expect(hung).rejects.toThrow(/exited/);
    expect(exits).toEqual([{ index: 0, code: 1 }]);
    const after = await pool.run({ kind: 'echo', value: 21 });
    expect(after.value).toBe(42);
    expect(after.threadId).not.toBe(before.threadId);
  });

  it('a worker that exits by itself mid-task fails that task and is replaced', async () => {
    const exits: number[] = [];
    pool = new WorkerPool<EchoTask, EchoResult>({
      entry,
      size: 2,
      config: { prefix: 'x' },
      onWorkerExit: ({ code }) => exits.push(code),
    });
    await pool.started();
    const results = await Promise.allSettled([
      pool.run({ kind: 'exit', code: 3 }),
      pool.run({ kind: 'echo', value: 5, delayMs: 20 }),
    ]);
    expect(results[0]!.status).toBe('rejected');
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/exited with code 3/);
    expect(results[1]).toMatchObject({ status: 'fulfilled', value: { value: 10 } });
    expect(exits).toEqual([3]);
    const again = await Promise.all([1, 2, 3].map((value) => pool!.run({ kind: 'echo', value })));
    expect(again.map((r) => r.value)).toEqual([2, 4, 6]);
  });

  it('a task queued behind a busy pool runs when a worker frees up', async () => {
    pool = new WorkerPool<EchoTask, EchoResult>({ entry, size: 1, config: { prefix: 'x' } });
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((value) =>
        pool!.run({ kind: 'echo', value, delayMs: 10 }).then((r) => order.push(r.value)),
      ),
    );
    expect(order).toEqual([2, 4, 6]);
  });

  it("samples each worker's own memory: a worker holding 32 MB more shows it, a worker waiting inside a task answers, one stuck in synchronous code gives undefined", async () => {
    pool = new WorkerPool<EchoTask, EchoResult>({ entry, size: 2, config: { prefix: 'm' } });
    await pool.started();
    const before = await pool.memory({ collect: true });
    expect(before.every((s) => s !== undefined && s.heapUsedMb > 0)).toBe(true);
    // The first free worker takes the retain task; a second task keeps the other one waiting.
    const retained = await pool.run({ kind: 'retain', megabytes: 32 });
    const holder = retained.threadId;
    const pending = pool.run({ kind: 'hang' }).catch(() => undefined);
    const after = await pool.memory({ collect: true });
    const grew = after.map((s, i) => s!.heapUsedMb - before[i]!.heapUsedMb);
    // 32 × 2^17 doubles = 32 MB of elements; the other worker's heap barely moves.
    expect(Math.max(...grew)).toBeGreaterThan(28);
    expect(Math.min(...grew)).toBeLessThan(8);
    expect(holder).toBeGreaterThan(0);
    await pool.close();
    await pending;
    pool = new WorkerPool<EchoTask, EchoResult>({ entry, size: 1, config: { prefix: 's' } });
    await pool.started();
    const spinning = pool.run({ kind: 'spin', ms: 1500 });
    await new Promise((r) => setTimeout(r, 100));
    expect(await pool.memory({ timeoutMs: 300 })).toEqual([undefined]);
    await spinning;
    expect((await pool.memory())[0]?.heapUsedMb).toBeGreaterThan(0);
  });

  it('a lazy pool starts no thread until a task needs one, then only as many as run at once', async () => {
    pool = new WorkerPool<EchoTask, EchoResult>({ entry, size: 3, config: { prefix: 'z' }, lazy: true });
    expect(pool.spawned).toBe(0);
    const one = await pool.run({ kind: 'echo', value: 1 });
    expect(one.value).toBe(2);
    expect(pool.spawned).toBe(1);
    // one task at a time reuses the idle worker
    await pool.run({ kind: 'echo', value: 2 });
    expect(pool.spawned).toBe(1);
    const both = await Promise.all([3, 4].map((value) => pool!.run({ kind: 'echo', value, delayMs: 30 })));
    expect(new Set(both.map((r) => r.threadId)).size).toBe(2);
    expect(pool.spawned).toBe(2);
    await pool.started();
    expect(pool.spawned).toBe(3);
  });

  it('a lazy pool with idleMs retires its threads after a quiet spell and starts one again for the next task', async () => {
    const exits: number[] = [];
    pool = new WorkerPool<EchoTask, EchoResult>({
      entry,
      size: 2,
      config: { prefix: 'i' },
      lazy: true,
      idleMs: 300,
      onWorkerExit: ({ index }) => exits.push(index),
    });
    const first = await pool.run({ kind: 'echo', value: 1 });
    // Busy spells shorter than idleMs keep the thread.
    await new Promise((r) => setTimeout(r, 150));
    const second = await pool.run({ kind: 'echo', value: 2, delayMs: 400 });
    expect(second.threadId).toBe(first.threadId);
    expect(pool.retired).toBe(0);
    await new Promise((r) => setTimeout(r, 600));
    expect(pool.spawned).toBe(0);
    expect(pool.retired).toBe(1);
    expect(await pool.memory()).toEqual([]);
    const third = await pool.run({ kind: 'echo', value: 3 });
    expect(third.value).toBe(6);
    expect(third.threadId).not.toBe(first.threadId);
    expect(pool.spawned).toBe(1);
    // A retired thread is not a crash: nothing was reported or replaced.
    expect(exits).toEqual([]);
  });

  it('with maxTasks, replaces a worker by a fresh thread after that many tasks, never during one', async () => {
    const exits: number[] = [];
    pool = new WorkerPool<EchoTask, EchoResult>({
      entry,
      size: 1,
      config: { prefix: 'm' },
      maxTasks: 2,
      onWorkerExit: ({ index }) => exits.push(index),
    });
    // Three tasks queued at once on one worker: the first two share a thread, the third gets the fresh one.
    const [a, b, c] = await Promise.all(
      [1, 2, 3].map((value) => pool!.run({ kind: 'echo', value, delayMs: 50 })),
    );
    expect([a!.value, b!.value, c!.value]).toEqual([2, 4, 6]);
    expect(b!.threadId).toBe(a!.threadId);
    expect(c!.threadId).not.toBe(a!.threadId);
    expect(pool.recycled).toBe(1);
    const d = await pool.run({ kind: 'echo', value: 4 });
    expect(d.threadId).toBe(c!.threadId);
    expect(pool.recycled).toBe(2);
    expect(pool.spawned).toBe(1);
    // Replacing is not a crash.
    expect(exits).toEqual([]);
  });
});
