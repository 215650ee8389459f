#!/usr/bin/env node
// The `graft` command. Graft ships TypeScript sources: the command line runs from a bundle built from them and rebuilt
// when one changes (bundle.mjs), or, without a bundler or with GRAFT_DEBUG (mapped stack traces), compiled on the fly
// by tsx.
import { loadBundle } from './bundle.mjs';

// Node 20 is past its end of life and the AWS SDK drops it in January 2027. Say so once, here, instead of the SDK's
// multi-line warning from every process and worker thread (they inherit this environment).
if (
  Number(process.versions.node.split('.')[0]) < 22 &&
  !process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.stderr.write(
    `graft: Node ${process.versions.node} works, but it is past end of life and AWS SDK releases after January 2027 need Node 22 or later\n`,
  );
}
const bundled = process.env.GRAFT_DEBUG ? undefined : await loadBundle({ bench: true });
if (bundled) {
  globalThis[Symbol.for('graft.loadedFrom')] = 'bundle';
  process.exitCode = await bundled.main.main(process.argv.slice(2), bundled.benchCommands?.commands ?? {});
} else {
  const { register } = await import('tsx/esm/api');
  register();
  // tsx turns Node's source maps on; then every CommonJS package with a `sourceMappingURL` has its map read and parsed
  // as it loads (17 MB for tfjs: ~150 ms of CPU and ~40 MB on every start). Stack traces are printed only with
  // GRAFT_DEBUG, which keeps them mapped.
  if (!process.env.GRAFT_DEBUG) process.setSourceMapsEnabled(false);
  const { main } = await import('../src/main.ts');
  process.exitCode = await main(process.argv.slice(2), await workspaceCommands());
}

/**
 * This file is the program's composition root: the product's commands live in this package, and a workspace that
 * sits above it adds its own. The bench workspace (`@graft/bench`: benchmarks, evaluations, fault scenarios)
 * registers `graft bench` and `graft eval`; an install without it (a production image) simply lacks them.
 */
async function workspaceCommands() {
  try {
    return (await import('@graft/bench/commands')).commands;
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('@graft/bench')) return {};
    throw error;
  }
}
