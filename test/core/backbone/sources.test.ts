import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend, tf } from '@graft/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BackboneError,
  InvalidModelError,
  loadBackbone,
  SourceNotAllowedError,
} from '../../../packages/core/src/backbone/index.js';
import { digitBatch, saveModelDir, serveDir, smallCnn } from './helpers.js';

describe('backbone sources', () => {
  let root: string;
  let dir: string;
  let cnn: tf.LayersModel;
  let server: Awaited<ReturnType<typeof serveDir>>;
  let expected: tf.Tensor;
  let x: tf.Tensor4D;
  const preprocessing = { scale: 1 / 255, offset: 0 };

  beforeAll(async () => {
    await initBackend();
    root = await mkdtemp(path.join(tmpdir(), 'graft-backbone-'));
    dir = path.join(root, 'm');
    cnn = smallCnn();
    await saveModelDir(cnn, dir, { name: 'mnist_cnn', featuresLayer: 'flatten', preprocessing });
    x = digitBatch(28, 2, preprocessing, 1);
    const features = tf.model({
      inputs: cnn.inputs,
      outputs: cnn.getLayer('flatten').output as tf.SymbolicTensor,
    });
    expected = features.predict(x) as tf.Tensor;
    server = await serveDir(root);
  });
  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
    tf.dispose([expected, x]);
  });

  const check = async (
    promise: Promise<unknown>,
    type: new (...a: never[]) => BackboneError,
    code: string,
  ) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(type);
    expect((error as BackboneError).code).toBe(code);
    return error as BackboneError;
  };

  it('loads a model directory, reading name/features/preprocessing from its metadata', async () => {
    const b = await loadBackbone({ kind: 'dir', path: dir });
    expect(b.id).toBe('mnist_cnn-28');
    expect(b.preprocessing).toEqual(preprocessing);
    expect(b.inputChannels).toBe(1);
    expect(b.cuts.at(-1)).toMatchObject({ name: 'features', outputShape: [1936] });
    expect(b.model.layers.some((l) => l.name === 'logits')).toBe(false);
    const y = b.model.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]).toBe(0);
    y.dispose();
  });

  it('guesses the features layer below the head when none is given', async () => {
    const b = await loadBackbone({
      kind: 'io',
      handler: tf.io.fromMemory(await readArtifacts()),
      name: 'guess',
    });
    // flatten + dense stripped; the last feature map (conv2) gets global average pooling.
    expect(b.model.layers.at(-2)!.name).toBe('conv2');
    expect(b.cuts.at(-1)).toMatchObject({ name: 'features', outputShape: [16] });
    expect(b.preprocessing).toEqual({ scale: 1 / 127.5, offset: -1 });
  });

  it('loads from an IOHandler with explicit overrides', async () => {
    const b = await loadBackbone({
      kind: 'io',
      handler: tf.io.fromMemory(await readArtifacts()),
      name: 'cnn_io',
      featuresLayer: 'pool1',
      preprocessing,
    });
    expect(b.id).toBe('cnn_io-28');
    expect(b.cuts.at(-1)!.outputShape).toEqual([8]);
  });

  it('loads from an allow-listed local URL (http only for 127.0.0.1 when listed)', async () => {
    const b = await loadBackbone({
      kind: 'url',
      url: `${server.origin}/m/model.json`,
      allow: [server.origin],
    });
    const y = b.model.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]).toBe(0);
    y.dispose();
    expect(server.requests).toContain('/m/weights.bin');
  });

  it('refuses origins, schemes and addresses that are not allowed, before any request', async () => {
    const count = server.requests.length;
    const url = `${server.origin}/m/model.json`;
    await check(
      loadBackbone({ kind: 'url', url, allow: ['https://models.example.com'] }),
      SourceNotAllowedError,
      'source_not_allowed',
    );
    await check(loadBackbone({ kind: 'url', url, allow: [] }), SourceNotAllowedError, 'source_not_allowed');
    const localhost = url.replace('127.0.0.1', 'localhost');
    await check(
      loadBackbone({ kind: 'url', url: localhost, allow: [new URL(localhost).origin] }),
      SourceNotAllowedError,
      'source_not_allowed',
    );
    await check(
      loadBackbone({
        kind: 'url',
        url: 'http://models.example.com/m/model.json',
        allow: ['http://models.example.com'],
      }),
      SourceNotAllowedError,
      'source_not_allowed',
    );
    await check(
      loadBackbone({ kind: 'url', url: 'file:///etc/passwd', allow: ['file://'] }),
      SourceNotAllowedError,
      'source_not_allowed',
    );
    // An allow-listed https host that resolves to a private/link-local address is refused (DNS injected).
    for (const address of [
      '10.1.2.3',
      '169.254.169.254',
      '127.0.0.1',
      '::1',
      'fd00::1',
      '::ffff:192.168.1.1',
    ]) {
      await check(
        loadBackbone({
          kind: 'url',
          url: 'https://models.example.com/m/model.json',
          allow: ['https://models.example.com'],
          lookup: async () => ['93.184.216.34', address],
        }),
        SourceNotAllowedError,
        'source_not_allowed',
      );
    }
    expect(server.requests.length).toBe(count);
  });

  it('refuses redirects', async () => {
    await check(
      loadBackbone({ kind: 'url', url: `${server.origin}/redirect/model.json`, allow: [server.origin] }),
      InvalidModelError,
      'invalid_model',
    );
  });

  it.each([
    ['../secret.bin'],
    ['/etc/passwd'],
    ['https://evil.example/w.bin'],
    ['//evil.example/w.bin'],
    ['a/../../b'],
  ])('refuses the weight path %s (dir and url)', async (bad) => {
    const evil = path.join(root, `evil-${Buffer.from(bad).toString('hex')}`);
    await saveModelDir(cnn, evil);
    const json = JSON.parse(await readFile(path.join(evil, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = [bad];
    await writeFile(path.join(evil, 'model.json'), JSON.stringify(json));
    await check(loadBackbone({ kind: 'dir', path: evil }), SourceNotAllowedError, 'source_not_allowed');
    const url = `${server.origin}/${path.basename(evil)}/model.json`;
    await check(
      loadBackbone({ kind: 'url', url, allow: [server.origin] }),
      SourceNotAllowedError,
      'source_not_allowed',
    );
  });

  it('reports broken model files as invalid_model', async () => {
    await check(
      loadBackbone({ kind: 'dir', path: path.join(root, 'missing') }),
      InvalidModelError,
      'invalid_model',
    );
    const broken = path.join(root, 'broken');
    await saveModelDir(cnn, broken);
    await writeFile(path.join(broken, 'weights.bin'), Buffer.alloc(10));
    await check(loadBackbone({ kind: 'dir', path: broken }), InvalidModelError, 'invalid_model');
    await writeFile(path.join(broken, 'model.json'), '{"weightsManifest": []}');
    await check(loadBackbone({ kind: 'dir', path: broken }), InvalidModelError, 'invalid_model');
    await check(
      loadBackbone({ kind: 'dir', path: dir, featuresLayer: 'nope' }),
      InvalidModelError,
      'invalid_model',
    );
  });

  it('refuses to rebuild a model with a dense head below the features for another size', async () => {
    const error = await loadBackbone(
      { kind: 'dir', path: dir, featuresLayer: 'logits' },
      { inputSize: 56 },
    ).catch((e) => e);
    expect((error as BackboneError).code).toBe('unsupported_input_size');
  });

  async function readArtifacts(): Promise<tf.io.ModelArtifacts> {
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    const bytes = await readFile(path.join(dir, 'weights.bin'));
    return {
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    };
  }
});
