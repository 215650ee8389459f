import { describe, expect, it } from 'vitest';
import { FairQueue } from '../../packages/local-aws/src/fair-queue.js';

describe('FairQueue', () => {
  it('takes lanes in turns, each lane in order: a flood in one lane delays another by one item at most', () => {
    const q = new FairQueue<string>();
    for (let i = 0; i < 100; i++) q.push('flood', `f${i}`);
    q.push('other', 'o0');
    q.push('other', 'o1');
    q.push('third', 't0');
    expect(q.size).toBe(103);
    const order = Array.from({ length: 8 }, () => q.shift());
    expect(order).toEqual(['f0', 'o0', 't0', 'f1', 'o1', 'f2', 'f3', 'f4']);
    expect(q.size).toBe(95);
  });

  it('a lane that empties and comes back waits for its turn behind the others', () => {
    const q = new FairQueue<string>();
    q.push('a', 'a0');
    q.push('b', 'b0');
    q.push('b', 'b1');
    expect(q.shift()).toBe('a0');
    q.push('a', 'a1');
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual(['b0', 'a1', 'b1', undefined]);
  });

  it('removes a waiting item (a cancelled job) wherever it waits', () => {
    const q = new FairQueue<string>();
    q.push('a', 'a0');
    q.push('a', 'a1');
    q.push('b', 'b0');
    expect(q.remove('a0')).toBe(true);
    expect(q.remove('b0')).toBe(true);
    expect(q.remove('nope')).toBe(false);
    expect(q.size).toBe(1);
    expect([q.shift(), q.shift()]).toEqual(['a1', undefined]);
  });
});
