import { describe, expect, it } from 'vitest';
import { FifoGate, predictionGateSize } from '../../../functions/api/src/fifo-gate.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FifoGate', () => {
  it('runs tasks one at a time, in arrival order, even when later ones are quicker', async () => {
    const gate = new FifoGate();
    const events: string[] = [];
    let running = 0;
    const task = (name: string, ms: number, steps: number) => async () => {
      running++;
      expect(running).toBe(1);
      events.push(`start ${name}`);
      for (let i = 0; i < steps; i++) await sleep(ms); // yields, as decoding and inference do
      events.push(`end ${name}`);
      running--;
      return name;
    };
    const results = Promise.all([
      gate.run(task('a', 5, 3)),
      gate.run(task('b', 1, 1)),
      gate.run(task('c', 0, 2)),
    ]);
    expect(gate.size).toBe(3);
    expect(await results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(gate.size).toBe(0);
  });

  it('a failing task rejects its own caller only; the next one still runs', async () => {
    const gate = new FifoGate();
    const failed = gate.run(async () => {
      await sleep(1);
      throw new Error('broken image');
    });
    const next = gate.run(async () => 'ok');
    await expect(failed).rejects.toThrow('broken image');
    expect(await next).toBe('ok');
    expect(gate.size).toBe(0);
  });
});

describe('FifoGate with concurrency', () => {
  it('runs up to `concurrency` tasks at once, starts them in arrival order, and counts waiting and running', async () => {
    const gate = new FifoGate({ concurrency: 2 });
    const started: string[] = [];
    let running = 0;
    let most = 0;
    const task = (name: string, ms: number) => async () => {
      running++;
      most = Math.max(most, running);
      started.push(name);
      await sleep(ms);
      running--;
      return name;
    };
    const all = Promise.all(['a', 'b', 'c', 'd', 'e'].map((n, i) => gate.run(task(n, 10 - i))));
    expect(gate.size).toBe(5);
    // a newcomer while places are handed over must not overtake the ones waiting
    await sleep(12);
    const late = gate.run(task('f', 1));
    expect(await all).toEqual(['a', 'b', 'c', 'd', 'e']);
    await late;
    expect(most).toBe(2);
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(gate.size).toBe(0);
  });

  it('sizes the prediction gate for a full batch per thread plus the next one', () => {
    expect(predictionGateSize(16, 0)).toBe(32);
    expect(predictionGateSize(16, 2)).toBe(48);
    expect(predictionGateSize(1, 1)).toBe(2);
  });
});
