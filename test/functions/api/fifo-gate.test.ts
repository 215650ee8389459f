import { describe, expect, it } from 'vitest';
import { FifoGate } from '../../../functions/api/src/fifo-gate.js';

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
