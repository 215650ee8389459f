import { InvalidNameError, keys } from '@graft/storage';
import { describe, expect, it } from 'vitest';

const SHA = 'a'.repeat(64);

describe('keys', () => {
  it('builds the DESIGN.md layout', () => {
    expect(keys.datasetConfig('pets')).toBe('datasets/pets/graft.json');
    expect(keys.upload('pets', 'train', 'golden retriever', 'a 1+2%.jpg')).toBe(
      'datasets/pets/train/golden retriever/a 1+2%.jpg',
    );
    expect(keys.upload('pets', undefined, 'chat é', 'b.jpg')).toBe('datasets/pets/chat é/b.jpg');
    expect(keys.feature('mobilenet_v2-224', 'block_10_project_BN', SHA)).toBe(
      `features/mobilenet_v2-224/block_10_project_BN/${SHA}.bin`,
    );
    expect(keys.modelVersionPrefix('pets', 3)).toBe('models/pets/versions/3/');
    expect(keys.modelCurrent('pets')).toBe('models/pets/current.json');
    expect(keys.job('01J9Z3Q4X8K2M5N7P9R1S3T5V7')).toBe('jobs/01J9Z3Q4X8K2M5N7P9R1S3T5V7.json');
    expect(keys.reject('pets', SHA)).toBe(`rejects/pets/${SHA}.json`);
  });

  it('parses upload keys with and without split, and refuses everything else', () => {
    expect(keys.parseUploadKey('datasets/pets/val/cat/1.jpg')).toEqual({
      dataset: 'pets',
      split: 'val',
      label: 'cat',
      file: '1.jpg',
    });
    expect(keys.parseUploadKey('datasets/pets/cat/1.jpg')).toEqual({
      dataset: 'pets',
      label: 'cat',
      file: '1.jpg',
    });
    // a label named like a split, without a split
    expect(keys.parseUploadKey('datasets/pets/train/1.jpg')).toEqual({
      dataset: 'pets',
      label: 'train',
      file: '1.jpg',
    });
    for (const key of [
      'datasets/pets/graft.json',
      'datasets/pets/dev/cat/1.jpg',
      'datasets/pets/train/cat/sub/1.jpg',
      'datasets/../cat/1.jpg',
      'datasets/pets/train/../1.jpg',
      'features/x/y/z.bin',
      'datasets/pets/cat/',
    ]) {
      expect(keys.parseUploadKey(key), key).toBeUndefined();
    }
    const key = keys.upload('pets', 'test', 'a+b c', 'x y.png');
    expect(keys.parseUploadKey(key)).toEqual({
      dataset: 'pets',
      split: 'test',
      label: 'a+b c',
      file: 'x y.png',
    });
  });

  it('rejects bad names with typed errors', () => {
    const bad: [() => string, string][] = [
      [() => keys.datasetConfig('a/b'), 'dataset'],
      [() => keys.datasetConfig('..'), 'dataset'],
      [() => keys.datasetConfig('a..b'), 'dataset'],
      [() => keys.datasetConfig('x'.repeat(65)), 'dataset'],
      [() => keys.datasetConfig(''), 'dataset'],
      [() => keys.modelCurrent('../etc'), 'model'],
      [() => keys.upload('pets', 'train', 'a/b', 'f'), 'label'],
      [() => keys.upload('pets', 'train', '..', 'f'), 'label'],
      [() => keys.upload('pets', 'train', 'x'.repeat(129), 'f'), 'label'],
      [() => keys.upload('pets', 'train', ' padded', 'f'), 'label'],
      [() => keys.upload('pets', 'train', 'cat', '..'), 'file'],
      [() => keys.upload('pets', 'train', 'cat', 'a/b.jpg'), 'file'],
      [() => keys.upload('pets', 'dev' as 'train', 'cat', 'a.jpg'), 'split'],
      [() => keys.feature('m', 'cut', 'ABC'), 'sha256'],
      [() => keys.modelVersionPrefix('pets', 0), 'version'],
      [() => keys.job('../x'), 'job'],
    ];
    for (const [fn, kind] of bad) {
      let err: unknown;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidNameError);
      expect((err as InvalidNameError).code).toBe('invalid_name');
      expect((err as InvalidNameError).kind).toBe(kind);
    }
  });
});
