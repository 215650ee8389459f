/**
 * What a serving process loads before it answers: the modules `graft start`, the Lambda handler and the Node server
 * reach through static imports (the ones evaluated before their first line runs) must not include training, data
 * set importers, backbone registration, report or page rendering, the AWS Batch client or playwright. They are
 * imported when a route needs them. Cold start is measured by `graft bench api` (`coldStart`); this keeps its
 * biggest regression (a static import pulling a heavy graph back onto the start path) from coming back silently.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROOT } from './workspaces.js';

/** Files and packages reachable from `entry` through static imports (type-only imports are erased first). */
async function staticGraph(entry: string): Promise<{ files: string[]; packages: string[] }> {
  const result = await build({
    entryPoints: [path.join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    outdir: path.join(ROOT, '.start-path-graph'),
    plugins: [
      {
        name: 'packages-external',
        setup(b) {
          // Graft's own workspaces are followed; every other package (and `#tfjs`) is a leaf.
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@graft/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  const inputs = result.metafile.inputs;
  const start = Object.keys(inputs).find((f) => path.resolve(ROOT, f) === path.join(ROOT, entry))!;
  const seen = new Set([start]);
  const packages = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    for (const im of inputs[queue.pop()!]!.imports) {
      if (im.kind === 'dynamic-import') continue;
      if (im.external)
        packages.add(
          im.path
            .split('/')
            .slice(0, im.path.startsWith('@') ? 2 : 1)
            .join('/'),
        );
      else if (!seen.has(im.path)) {
        seen.add(im.path);
        queue.push(im.path);
      }
    }
  }
  return { files: [...seen].sort(), packages: [...packages].sort() };
}

/** What must stay off the start path, as file paths and package names. */
const OFF_START_FILES = [
  /^packages\/core\/src\/training\/(strategies|advisor|loop|train)/,
  // the datasets package but its hash split (the API counts a data set's training images as the job will)
  /^packages\/datasets\/(?!src\/(split|errors)\.ts$)/,
  /^packages\/backbones\//,
  /^packages\/extraction\//,
  /^functions\/finetune\//,
  // what loads and renders report pages and the try-it page (the sign-in page and escaping are small and used by auth)
  /^functions\/api\/src\/report\/(render-|load-report|report-|charts|ood-data|test-cells)/,
  /^functions\/api\/src\/pages\/try-it/,
];
const OFF_START_PACKAGES = ['@aws-sdk/client-batch', 'playwright-core', 'mnist', '@tensorflow/tfjs'];

/** `graft start`, and the app the Lambda handler and the Node server build at their start (`from-env.ts`). */
const ENTRIES = [
  'packages/cli/src/commands/start.ts',
  'functions/api/src/from-env.ts',
  'functions/api/src/lambda.ts',
  'functions/api/src/server.ts',
];

describe('the start path of a serving process', () => {
  it.each(ENTRIES)(
    '%s loads no training, importers, backbones, reports, pages or Batch client up front',
    async (entry) => {
      const { files, packages } = await staticGraph(entry);
      expect(files.filter((f) => OFF_START_FILES.some((re) => re.test(f)))).toEqual([]);
      expect(packages.filter((p) => OFF_START_PACKAGES.includes(p))).toEqual([]);
    },
  );

  it('graft start does not even load tfjs, the bundle loader or the image decoders before it listens', async () => {
    const { files, packages } = await staticGraph('packages/cli/src/commands/start.ts');
    expect(
      packages.filter((p) => p === '#tfjs' || p.startsWith('@jsquash/') || p.startsWith('@tensorflow/')),
    ).toEqual([]);
    expect(files.filter((f) => /^packages\/(core|imaging|runtime)\//.test(f))).toEqual([]);
  });

  it('the first model load imports the bundle loader (@graft/core/serving), not training', async () => {
    const { files } = await staticGraph('packages/core/src/serving.ts');
    expect(files.filter((f) => OFF_START_FILES.some((re) => re.test(f)))).toEqual([]);
    expect(files.filter((f) => f.startsWith('packages/core/src/training/strategies/'))).toEqual([]);
  });

  it('sees a heavy static import when there is one (the check itself works)', async () => {
    // the training worker thread loads training up front, as it should
    const { files, packages } = await staticGraph('packages/local-aws/src/job-worker.ts');
    expect(files.filter((f) => OFF_START_FILES.some((re) => re.test(f))).length).toBeGreaterThan(10);
    expect(packages).toContain('#tfjs');
  });
});
