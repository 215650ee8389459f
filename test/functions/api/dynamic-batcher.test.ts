import { describe, expect, it } from 'vitest';
import { DynamicBatcher, type Settled } from '../../../functions/api/src/dynamic-batcher.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A runner that records its batches and takes `ms` per batch; items named 'bad' fail alone. */
function recorder(ms = 5) {
  const batches: string[][] = [];
  let running = 0;
  let mostRunning = 0;
  const run = async (items: string[]): Promise<Settled<string>[]> => {
    batches.push(items);
    running++;
    mostRunning = Math.max(mostRunning, running);
    await sleep(ms);
    running--;
    return items.map((item) =>
      item === 'bad'
        ? { ok: false, error: new Error(`cannot read ${item}`) }
        : { ok: true, value: item.toUpperCase() },
    );
  };
  return { run, batches, mostRunning: () => mostRunning };
}

describe('DynamicBatcher', () => {
  it('runs a lone request at once, with no wait for batch-mates', async () => {
    const r = recorder(0);
    const batcher = new DynamicBatcher(r.run, { maxBatchSize: 16 });
    const pending = batcher.submit('a');
    // started synchronously: the runner already has the batch before any timer could fire
    expect(r.batches).toEqual([['a']]);
    expect(await pending).toBe('A');
  });

  it('batches what arrives while the model is busy, first come first served, up to maxBatchSize', async () => {
    const r = recorder(20);
    const batcher = new DynamicBatcher(r.run, { maxBatchSize: 3 });
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const results = await Promise.all(names.map((n) => batcher.submit(n)));
    expect(results).toEqual(names.map((n) => n.toUpperCase()));
    expect(r.batches).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f', 'g']]);
    expect(batcher.waiting).toBe(0);
    expect(batcher.busy).toBe(0);
  });

  it('keeps errors per request: a bad item fails alone and its batch-mates get their results', async () => {
    const r = recorder(10);
    const batcher = new DynamicBatcher(r.run, { maxBatchSize: 8 });
    const [first, good1, bad, good2] = ['x', 'y', 'bad', 'z'].map((n) => batcher.submit(n));
    await expect(bad).rejects.toThrow('cannot read bad');
    expect(await Promise.all([first, good1, good2])).toEqual(['X', 'Y', 'Z']);
    expect(r.batches).toEqual([['x'], ['y', 'bad', 'z']]);
  });

  it('fails a whole batch only when the runner itself fails, and keeps serving afterwards', async () => {
    let calls = 0;
    const batcher = new DynamicBatcher<string, string>(async (items) => {
      calls++;
      if (calls === 1) throw new Error('out of memory');
      return items.map((item) => ({ ok: true, value: item }));
    });
    await expect(batcher.submit('a')).rejects.toThrow('out of memory');
    expect(await batcher.submit('b')).toBe('b');
  });

  it('rejects a runner that answers the wrong number of outcomes', async () => {
    const batcher = new DynamicBatcher<string, string>(async () => []);
    await expect(batcher.submit('a')).rejects.toThrow('0 outcomes for 1 items');
  });

  it('runs one batch per runner at once and never more', async () => {
    const r = recorder(15);
    const batcher = new DynamicBatcher(r.run, { maxBatchSize: 4, runners: 2 });
    const names = Array.from({ length: 14 }, (_, i) => `n${i}`);
    await Promise.all(names.map((n) => batcher.submit(n)));
    expect(r.mostRunning()).toBe(2);
    // the first two requests each found a free runner; the rest waited and left in batches of at most 4
    expect(r.batches[0]).toEqual(['n0']);
    expect(r.batches[1]).toEqual(['n1']);
    expect(r.batches.slice(2).every((b) => b.length <= 4 && b.length > 1)).toBe(true);
    expect(r.batches.flat()).toEqual(names);
  });

  it('with yieldFirst, takes what arrives within one event-loop turn together, and costs a loop turn, not a timer', async () => {
    const r = recorder(0);
    const batcher = new DynamicBatcher(r.run, { maxBatchSize: 8, yieldFirst: true });
    const together = ['a', 'b', 'c'].map((n) => batcher.submit(n));
    expect(r.batches).toEqual([]); // not started yet: the requests still being read get their turn first
    expect(await Promise.all(together)).toEqual(['A', 'B', 'C']);
    expect(r.batches).toEqual([['a', 'b', 'c']]);
    // an idle server: 100 lone requests one after another (an instant model), against 100 waits of the shortest timer
    const instant = new DynamicBatcher<string, string>(
      async (items) => items.map((value) => ({ ok: true, value })),
      {
        yieldFirst: true,
      },
    );
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) await instant.submit('x');
    const yielded = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < 100; i++) await sleep(1);
    const timers = performance.now() - t1;
    expect(yielded).toBeLessThan(timers / 2);
  });
});
