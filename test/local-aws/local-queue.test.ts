/**
 * LocalQueue: SQS + Lambda event-source-mapping semantics on one machine (at-least-once delivery, partial
 * batch failures, redelivery with exponential backoff, dead letter after maxReceiveCount, drained()).
 */

import { type BatchResult, LocalQueue, type QueueMessage } from '@graft/local-aws';
import { describe, expect, it } from 'vitest';

const ok = (): BatchResult => ({ batchItemFailures: [] });

describe('LocalQueue', () => {
  it('delivers every message once in batches of at most batchSize and resolves drained()', async () => {
    const batches: QueueMessage[][] = [];
    const queue = new LocalQueue({
      concurrency: 1,
      batchSize: 3,
      consume: async (messages) => {
        batches.push(messages.map((m) => ({ ...m })));
        await new Promise((r) => setTimeout(r, 5));
        return ok();
      },
    });
    const ids = Array.from({ length: 7 }, (_, i) => queue.send(`body-${i}`));
    expect(new Set(ids).size).toBe(7);
    await queue.drained();
    expect(queue.pending).toBe(0);
    const bodies = batches.flat().map((m) => m.body);
    expect(bodies).toEqual(Array.from({ length: 7 }, (_, i) => `body-${i}`));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(3);
    expect(batches.flat().every((m) => m.receiveCount === 1)).toBe(true);
    expect(queue.stats).toMatchObject({ sent: 7, delivered: 7, succeeded: 7, retried: 0, deadLettered: 0 });
  });

  it('drained() resolves at once when nothing was ever sent', async () => {
    const queue = new LocalQueue({ concurrency: 1, consume: async () => ok() });
    await expect(queue.drained()).resolves.toBeUndefined();
  });

  it('never runs more than `concurrency` batches at once', async () => {
    let running = 0;
    let peak = 0;
    const queue = new LocalQueue({
      concurrency: 2,
      batchSize: 1,
      consume: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        return ok();
      },
    });
    for (let i = 0; i < 8; i++) queue.send(String(i));
    await queue.drained();
    expect(peak).toBe(2);
  });

  it('redelivers only the messages in batchItemFailures, with doubling backoff', async () => {
    const seen: { body: string; receiveCount: number; at: number }[] = [];
    const start = performance.now();
    const queue = new LocalQueue({
      concurrency: 1,
      batchSize: 10,
      backoffMs: 40,
      maxReceiveCount: 5,
      consume: async (messages) => {
        for (const m of messages)
          seen.push({ body: m.body, receiveCount: m.receiveCount, at: performance.now() - start });
        // 'flaky' fails on its first two receives, then succeeds.
        return {
          batchItemFailures: messages
            .filter((m) => m.body === 'flaky' && m.receiveCount < 3)
            .map((m) => ({ itemIdentifier: m.messageId })),
        };
      },
    });
    queue.send('good');
    queue.send('flaky');
    await queue.drained();
    expect(seen.filter((s) => s.body === 'good').map((s) => s.receiveCount)).toEqual([1]);
    const flaky = seen.filter((s) => s.body === 'flaky');
    expect(flaky.map((s) => s.receiveCount)).toEqual([1, 2, 3]);
    const gap1 = flaky[1]!.at - flaky[0]!.at;
    const gap2 = flaky[2]!.at - flaky[1]!.at;
    expect(gap1).toBeGreaterThanOrEqual(35); // backoffMs × 2^0 (timer slack)
    expect(gap2).toBeGreaterThanOrEqual(75); // backoffMs × 2^1
    expect(queue.stats).toMatchObject({ sent: 2, delivered: 4, retried: 2, deadLettered: 0, succeeded: 2 });
  });

  it('dead-letters a message after maxReceiveCount receives, with the reason', async () => {
    const dead: { message: QueueMessage; reason: string }[] = [];
    let receives = 0;
    const queue = new LocalQueue({
      concurrency: 1,
      backoffMs: 1,
      maxReceiveCount: 3,
      consume: async (messages) => ({
        batchItemFailures: messages.map((m) => {
          receives++;
          return { itemIdentifier: m.messageId };
        }),
      }),
      onDeadLetter: (message, reason) => {
        dead.push({ message: { ...message }, reason });
      },
    });
    queue.send('poison');
    await queue.drained();
    expect(receives).toBe(3);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.message).toMatchObject({ body: 'poison', receiveCount: 3 });
    expect(dead[0]!.reason).toBe('handler reported a failure');
    expect(queue.stats).toMatchObject({ delivered: 3, retried: 2, deadLettered: 1, succeeded: 0 });
  });

  it('a rejecting consumer fails the whole batch and the error message becomes the dead-letter reason', async () => {
    const dead: string[] = [];
    const receives: string[] = [];
    const queue = new LocalQueue({
      concurrency: 1,
      batchSize: 10,
      backoffMs: 1,
      maxReceiveCount: 2,
      consume: async (messages) => {
        for (const m of messages) receives.push(m.body);
        throw new Error('worker crashed');
      },
      onDeadLetter: (m, reason) => {
        dead.push(`${m.body}:${reason}`);
      },
    });
    queue.send('a');
    queue.send('b');
    await queue.drained();
    expect(receives.sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(dead.sort()).toEqual(['a:worker crashed', 'b:worker crashed']);
  });

  it('drained() waits for delayed redeliveries, not just in-flight batches', async () => {
    let receives = 0;
    const queue = new LocalQueue({
      concurrency: 1,
      backoffMs: 60,
      consume: async (messages) => {
        receives++;
        return { batchItemFailures: receives === 1 ? [{ itemIdentifier: messages[0]!.messageId }] : [] };
      },
    });
    queue.send('x');
    const started = performance.now();
    await queue.drained();
    expect(receives).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('close() drops pending redeliveries', async () => {
    let receives = 0;
    const queue = new LocalQueue({
      concurrency: 1,
      backoffMs: 30,
      consume: async (messages) => {
        receives++;
        return { batchItemFailures: messages.map((m) => ({ itemIdentifier: m.messageId })) };
      },
    });
    queue.send('x');
    await new Promise((r) => setTimeout(r, 10));
    queue.close();
    await new Promise((r) => setTimeout(r, 80));
    expect(receives).toBe(1);
  });
});
