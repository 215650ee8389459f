import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, DEFAULT_CONFIG, parseGraftConfig } from '../../cdk/lib/config.js';
import { GraftConfigError } from '../../cdk/lib/errors.js';

const fails = (raw: Record<string, unknown>, parameter: string) => {
  try {
    parseGraftConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(GraftConfigError);
    expect((err as GraftConfigError).code).toBe('invalid_config');
    expect((err as GraftConfigError).name).toBe('GraftConfigError');
    expect((err as GraftConfigError).parameter).toBe(parameter);
    return;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
};

describe('parseGraftConfig', () => {
  it('fills in the defaults', () => {
    expect(parseGraftConfig({})).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG.gpuInstanceTypes).toEqual(['g4dn.xlarge', 'g5.xlarge']);
  });

  it('parses string context values from `-c key=value`', () => {
    const config = parseGraftConfig({
      [CONTEXT_KEYS.bucketName]: 'my-graft-data',
      [CONTEXT_KEYS.gpuInstanceTypes]: 'g5.2xlarge, g6.xlarge',
      [CONTEXT_KEYS.spot]: 'true',
      [CONTEXT_KEYS.maxVcpus]: '16',
      [CONTEXT_KEYS.extractConcurrency]: '25',
      [CONTEXT_KEYS.modelName]: 'pets',
      [CONTEXT_KEYS.isolatedTraining]: 'yes',
      [CONTEXT_KEYS.alarmEmail]: ' ops@example.com ',
    });
    expect(config).toEqual({
      bucketName: 'my-graft-data',
      gpuInstanceTypes: ['g5.2xlarge', 'g6.xlarge'],
      spot: true,
      maxVcpus: 16,
      extractConcurrency: 25,
      modelName: 'pets',
      isolatedTraining: true,
      alarmEmail: 'ops@example.com',
    });
  });

  it('accepts typed values from cdk.json', () => {
    const config = parseGraftConfig({
      [CONTEXT_KEYS.gpuInstanceTypes]: ['p3.2xlarge'],
      [CONTEXT_KEYS.spot]: false,
      [CONTEXT_KEYS.maxVcpus]: 4,
    });
    expect(config.gpuInstanceTypes).toEqual(['p3.2xlarge']);
    expect(config.spot).toBe(false);
    expect(config.maxVcpus).toBe(4);
  });

  it('rejects bad values with a typed error naming the parameter', () => {
    fails({ [CONTEXT_KEYS.bucketName]: 'Not_A_Bucket' }, CONTEXT_KEYS.bucketName);
    fails({ [CONTEXT_KEYS.gpuInstanceTypes]: 'm5.large' }, CONTEXT_KEYS.gpuInstanceTypes);
    fails({ [CONTEXT_KEYS.gpuInstanceTypes]: ' , ' }, CONTEXT_KEYS.gpuInstanceTypes);
    fails({ [CONTEXT_KEYS.spot]: 'maybe' }, CONTEXT_KEYS.spot);
    fails({ [CONTEXT_KEYS.maxVcpus]: 'lots' }, CONTEXT_KEYS.maxVcpus);
    fails({ [CONTEXT_KEYS.maxVcpus]: 2 }, CONTEXT_KEYS.maxVcpus);
    fails({ [CONTEXT_KEYS.extractConcurrency]: 1 }, CONTEXT_KEYS.extractConcurrency);
    fails({ [CONTEXT_KEYS.extractConcurrency]: 2.5 }, CONTEXT_KEYS.extractConcurrency);
    fails({ [CONTEXT_KEYS.modelName]: '../etc' }, CONTEXT_KEYS.modelName);
    fails({ [CONTEXT_KEYS.bucketName]: 42 }, CONTEXT_KEYS.bucketName);
    fails({ [CONTEXT_KEYS.alarmEmail]: 'ops at example' }, CONTEXT_KEYS.alarmEmail);
  });
});
