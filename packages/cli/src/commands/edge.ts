import path from 'node:path';
import type { Command } from '../command.js';
import { connect, connectionOptions, dataDirOf } from '../connection.js';
import { buildEdge } from '../edge/build-edge.js';
import { startEdge } from '../edge/run-edge.js';
import { CliError, UsageError } from '../errors.js';
import { intFlag } from '../flags.js';
import { waitForSignal } from '../signals.js';

/** The embedded S3 server's local credentials (what `graft start` signs with unless runtime.json names others). */

/**
 * `graft edge` — the API's edge build in workerd (Miniflare) against the running `graft start` / `graft demo`;
 * `graft edge build` — the deployable Worker folder with its `wrangler.toml`.
 */
export const edgeCommand: Command = {
  summary: 'Run the API in workerd against the running Graft, or build the deployable Worker (edge build).',
  usage:
    'graft edge [--port 0] [--data-dir .graft] [--json]\n       graft edge build [--out dist/edge] [--name graft-api] [--bucket graft] [--json]',
  options: {
    ...connectionOptions,
    port: { type: 'string' },
    out: { type: 'string' },
    name: { type: 'string' },
    bucket: { type: 'string' },
  },
  async run({ flags, positionals, out }) {
    if (positionals[0] === 'build') {
      const build = await buildEdge({
        outDir: String(flags.out ?? 'dist/edge'),
        name: flags.name as string | undefined,
        vars: { GRAFT_BUCKET: String(flags.bucket ?? 'graft'), AWS_REGION: 'auto' },
      });
      out.result({
        outDir: build.outDir,
        script: build.script,
        wranglerToml: build.wranglerToml,
        codeGzipBytes: build.codeGzipBytes,
        wasmGzipBytes: build.wasmGzipBytes,
      });
      if (!out.json) out.info(`Deploy: cd ${build.outDir} && npx wrangler deploy (see docs/edge.md)`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unknown edge command '${positionals[0]}'`);
    const { info } = await connect(flags);
    if (!info)
      throw new CliError('not_running', 'graft edge needs the runtime.json of a running graft start');
    const credentials = info.s3Credentials ?? credentialsFromEnv();
    if (!credentials)
      throw new CliError(
        'no_credentials',
        'runtime.json holds no S3 key pair and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set: restart graft start',
      );
    const dataDir = dataDirOf(flags);
    const build = await buildEdge({ outDir: path.join(dataDir, 'edge') });
    const edge = await startEdge({
      build,
      port: flags.port === undefined ? 0 : intFlag(flags, 'port', 0),
      bindings: {
        GRAFT_BUCKET: info.bucket,
        GRAFT_S3_ENDPOINT: info.s3Endpoint,
        GRAFT_API_TOKEN: info.token,
        GRAFT_S3_ACCESS_KEY_ID: credentials.accessKeyId,
        GRAFT_S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
    });
    try {
      out.result({ apiUrl: edge.url, token: info.token, runtime: 'workerd' });
      if (!out.json) out.info(`The edge build serves ${info.bucket} at ${edge.url} — Ctrl-C to stop.`);
      await waitForSignal();
      return 0;
    } finally {
      await edge.close();
    }
  },
};

/** The S3 key pair of the environment, for a runtime whose bucket is not the embedded server. */
function credentialsFromEnv(): { accessKeyId: string; secretAccessKey: string } | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}
