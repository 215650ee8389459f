import { afterEach, describe, expect, it } from 'vitest';
import { nsfwjsModelDir } from '../../../packages/core/src/backbone/nsfwjs-mobilenet.js';

// In a Lambda bundle there is no node_modules: the CDK bundling copies the model files next to the handler and
// points GRAFT_MODEL_DIR at them.
describe('bundled model files', () => {
  afterEach(() => {
    delete process.env.GRAFT_MODEL_DIR;
  });

  it('reads the MobileNetV2 files from the installed nsfwjs package by default', () => {
    expect(nsfwjsModelDir()).toMatch(/nsfwjs[/\\]dist[/\\]models[/\\]mobilenet_v2$/);
  });

  it('reads them from GRAFT_MODEL_DIR when it is set', () => {
    process.env.GRAFT_MODEL_DIR = '/var/task/models/mobilenet_v2';
    expect(nsfwjsModelDir()).toBe('/var/task/models/mobilenet_v2');
  });
});
