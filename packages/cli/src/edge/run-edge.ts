/**
 * Runs a built Worker folder (`buildEdge`) in workerd on this machine, through Miniflare, on 127.0.0.1.
 */
import path from 'node:path';
import { EDGE_COMPATIBILITY_DATE, EDGE_COMPATIBILITY_FLAGS, type EdgeBuild } from './build-edge.js';

/**
 * Options of {@link startEdge}.
 *
 * @example
 * ```ts
 * const options: StartEdgeOptions = { build, bindings: { GRAFT_BUCKET: 'graft', GRAFT_API_TOKEN: token }, port: 0 };
 * ```
 */
export interface StartEdgeOptions {
  build: EdgeBuild;
  /** The Worker's variables and secrets (`EdgeEnv`). */
  bindings: Record<string, string>;
  /** Port on 127.0.0.1 (default 0: a free one). */
  port?: number;
}

/**
 * A Worker running in workerd.
 *
 * @example
 * ```ts
 * const edge: RunningEdge = await startEdge(options);
 * await fetch(`${edge.url}/health`);
 * await edge.close();
 * ```
 */
export interface RunningEdge {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts workerd with the built Worker (its `.wasm` files as `CompiledWasm` modules) and waits until it listens.
 *
 * @example
 * ```ts
 * const edge = await startEdge({ build: await buildEdge({ outDir }), bindings });
 * ```
 */
export async function startEdge(options: StartEdgeOptions): Promise<RunningEdge> {
  const { Miniflare } = await import('miniflare');
  const { build } = options;
  const mf = new Miniflare({
    modulesRoot: build.outDir,
    modules: [
      { type: 'ESModule', path: build.script },
      ...build.wasm.map((file) => ({ type: 'CompiledWasm' as const, path: path.resolve(file) })),
    ],
    compatibilityDate: EDGE_COMPATIBILITY_DATE,
    compatibilityFlags: EDGE_COMPATIBILITY_FLAGS,
    bindings: options.bindings,
    // The Worker's own socket: requests reach it without passing Miniflare's entry worker (a proxy that adds
    // milliseconds per request and does not exist on Cloudflare).
    host: '127.0.0.1',
    port: 0,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: options.port ?? 0 }],
  });
  await mf.ready;
  const url = await mf.unsafeGetDirectURL();
  return {
    url: url.origin,
    close: () => mf.dispose(),
  };
}
