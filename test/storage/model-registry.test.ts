import {
  InvalidArgumentError,
  keys,
  ModelRegistry,
  NoPreviousVersionError,
  NotFoundError,
  PreconditionFailedError,
} from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3, text } from './local-s3-fixture.js';

let t: TestS3;
beforeAll(async () => {
  t = await startTestS3('registry');
});
afterAll(async () => {
  await t.close();
});

const files = (tag: string) => ({
  modelJson: { modelTopology: { tag }, weightsManifest: [{ paths: ['weights.bin'], weights: [] }] },
  weights: new TextEncoder().encode(`weights ${tag}`),
  graft: { labels: ['cat', 'dog'], tag },
  report: { accuracy: 0.9, tag },
});

describe('ModelRegistry', () => {
  it('publishes numbered immutable versions and moves current.json last', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const tick = () => {
      clock += 1000;
      return new Date(clock);
    };
    const registry = new ModelRegistry(t.store, { now: tick });
    const written: string[] = [];
    const off = t.s3.onObjectCreated((r) => {
      written.push(r.s3.object.key);
    });
    expect(await registry.publish('pets', files('a'))).toBe(1);
    expect(await registry.publish('pets', files('b'))).toBe(2);
    await t.s3.drainEvents();
    off();
    expect(written.slice(0, 5)).toEqual([
      'models/pets/versions/1/graft.json',
      'models/pets/versions/1/weights.bin',
      'models/pets/versions/1/model.json',
      'models/pets/versions/1/report.json',
      'models/pets/current.json',
    ]);
    expect(await registry.listVersions('pets')).toEqual([1, 2]);
    expect(await registry.getCurrent('pets')).toEqual({
      version: 2,
      publishedAt: '2026-01-01T00:00:02.000Z',
    });
    expect(text(await registry.readFile('pets', 1, 'weights.bin'))).toBe('weights a');
    expect(await registry.readJson('pets', 2, 'graft.json')).toEqual({ labels: ['cat', 'dog'], tag: 'b' });

    // immutability: a version file cannot be overwritten through the conditional path
    await expect(
      t.store.put(keys.modelVersionPrefix('pets', 1) + 'weights.bin', 'tampered', { ifNoneMatch: true }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(text(await registry.readFile('pets', 1, 'weights.bin'))).toBe('weights a');

    // rollback / promote
    expect((await registry.rollback('pets')).version).toBe(1);
    await expect(registry.rollback('pets')).rejects.toBeInstanceOf(NoPreviousVersionError);
    expect((await registry.promote('pets', 2)).version).toBe(2);
    await expect(registry.promote('pets', 7)).rejects.toBeInstanceOf(NotFoundError);

    // publish without promote leaves the pointer
    expect(await registry.publish('pets', files('c'), { promote: false })).toBe(3);
    expect((await registry.getCurrent('pets'))?.version).toBe(2);
  });

  it('gives concurrent publishers distinct versions and skips a partial (crashed) version', async () => {
    const registry = new ModelRegistry(t.store);
    const versions = await Promise.all([1, 2, 3, 4].map((i) => registry.publish('race', files(`r${i}`))));
    expect([...versions].sort()).toEqual([1, 2, 3, 4]);
    for (const v of versions) {
      const tag = ((await registry.readJson('race', v, 'report.json')) as { tag: string }).tag;
      expect(text(await registry.readFile('race', v, 'weights.bin'))).toBe(`weights ${tag}`);
    }
    // a publisher died after claiming version 5: it is never listed, and the next publish takes 6
    await t.store.put(keys.modelVersionPrefix('race', 5) + 'graft.json', '{}');
    expect(await registry.listVersions('race')).toEqual([1, 2, 3, 4]);
    expect(await registry.publish('race', files('after'))).toBe(6);
    expect(await registry.listModels()).toEqual(['pets', 'race']);
  });

  it('validates input', async () => {
    const registry = new ModelRegistry(t.store);
    await expect(registry.publish('bad/name', files('x'))).rejects.toMatchObject({ code: 'invalid_name' });
    await expect(
      registry.publish('pets', { ...files('x'), modelJson: { weightsManifest: [{ paths: ['../x.bin'] }] } }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(registry.publish('pets', { ...files('x'), report: 'not json' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(await registry.getCurrent('nobody')).toBeUndefined();
  });
});
