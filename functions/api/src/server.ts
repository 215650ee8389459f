/**
 * Node entrypoint (@hono/node-server). `node --import tsx functions/api/src/server.ts` serves the API from
 * the environment (see `from-env.ts`); `startServer` serves any app (the CLI uses it with its local runner).
 */
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import type { createApp } from './app.js';

type App = ReturnType<typeof createApp>;

/**
 * A listening server.
 *
 * @example
 * ```ts
 * const { url, close } = await startServer(app, { port: 0 });
 * ```
 */
export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting connections, waits for open ones, disposes loaded models. */
  close(): Promise<void>;
}

/**
 * Serves an app over HTTP.
 *
 * @example
 * ```ts
 * const server = await startServer(createApp(deps), { port: 0 });
 * console.log(server.url); // http://127.0.0.1:40123
 * await server.close();
 * ```
 */
export function startServer(
  app: App,
  options: { port?: number; hostname?: string } = {},
): Promise<RunningServer> {
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 8080, hostname }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => {
              app.serving.dispose();
              if (err) fail(err);
              else done();
            });
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}

async function main(): Promise<void> {
  // A Node server infers on worker threads unless told otherwise (Lambda, on the same from-env, does not).
  const env = { GRAFT_INFERENCE_THREADS: 'auto', ...process.env };
  const { app, token, generatedToken } = await (await import('./from-env.js')).buildAppFromEnv(env, {
    generateToken: true,
  });
  const server = await startServer(app, {
    port: Number(process.env.PORT ?? 8080),
    hostname: process.env.HOST ?? '127.0.0.1',
  });
  // One JSON line for machines; the token is printed only when it was generated here.
  console.log(
    JSON.stringify({
      apiUrl: server.url,
      docsUrl: `${server.url}/docs`,
      ...(generatedToken ? { token } : {}),
    }),
  );
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(JSON.stringify({ level: 'error', msg: 'api failed to start', error: String(err) }));
    process.exit(1);
  });
}
