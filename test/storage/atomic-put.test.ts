import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from './local-s3-fixture.js';

let t: TestS3;
beforeAll(async () => {
  t = await startTestS3();
});
afterAll(async () => {
  await t.close();
});

describe('local S3 writes are atomic per object (like S3)', () => {
  it('a GET racing repeated PUTs of a document always reads one whole version', async () => {
    const key = 'jobs/race.json';
    const doc = (n: number) => JSON.stringify({ n, padding: 'x'.repeat(200_000 + n) });
    await t.store.put(key, doc(0));
    let writing = true;
    const writer = (async () => {
      for (let n = 1; n <= 25; n++) await t.store.put(key, doc(n));
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const text = new TextDecoder().decode(await t.store.get(key));
      const parsed = JSON.parse(text) as { n: number; padding: string };
      expect(parsed.padding.length).toBe(200_000 + parsed.n);
      reads++;
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
    const last = JSON.parse(new TextDecoder().decode(await t.store.get(key))) as { n: number };
    expect(last.n).toBe(25);
  });

  it('leaves no temporary files visible in listings', async () => {
    const keys: string[] = [];
    for await (const info of t.store.list('jobs/')) keys.push(info.key);
    expect(keys).toEqual(['jobs/race.json']);
  });
});
