/**
 * In Lambda (AWS_LAMBDA_FUNCTION_NAME set) the handler module builds the app and loads the default model while it
 * initialises — Lambda's init phase — so the first invocation does not pay for it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type LocalS3, ModelRegistry, S3BlobStore, startLocalS3 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN } from './fakes.js';
import { tinyBundleFiles } from './tiny-bundle.js';

const LAMBDA = join(import.meta.dirname, '../../../functions/api/src/lambda.ts');
let s3: LocalS3;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'graft-lambda-init-'));
  s3 = await startLocalS3({ dir, bucket: 'graft-init' });
  await new ModelRegistry(new S3BlobStore(s3.client, s3.bucket)).publish('tiny', {
    ...(await tinyBundleFiles(1)),
    report: { accuracy: 1 },
  });
});

afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Imports lambda.ts in a fresh Node process with `env` and returns what it printed by the end of the import. */
async function importHandler(env: Record<string, string>): Promise<string> {
  const script = `await import(${JSON.stringify(LAMBDA)}); console.log('IMPORTED');`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      env: {
        PATH: process.env.PATH,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        GRAFT_BUCKET: s3.bucket,
        GRAFT_S3_ENDPOINT: s3.endpoint,
        GRAFT_MODEL_NAME: 'tiny',
        GRAFT_API_TOKEN: TOKEN,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        ...env,
      },
      timeout: 120_000,
    },
  );
  return stdout;
}

describe('the Lambda handler module', () => {
  it('in Lambda, loads the default model while the module initialises (before any invocation)', async () => {
    const out = await importHandler({ AWS_LAMBDA_FUNCTION_NAME: 'graft-api' });
    const lines = out.trim().split('\n');
    const loaded = lines.findIndex((l) => l.includes('"model loaded"'));
    expect(loaded).toBeGreaterThanOrEqual(0);
    expect(loaded).toBeLessThan(lines.indexOf('IMPORTED'));
    expect(JSON.parse(lines[loaded]!)).toMatchObject({
      name: 'tiny',
      version: 1,
      phasesMs: { warmup: expect.any(Number) },
    });
  });

  it('outside Lambda, importing it starts nothing', async () => {
    const out = await importHandler({});
    expect(out.trim()).toBe('IMPORTED');
  });
});
