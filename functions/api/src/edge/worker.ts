/**
 * The Cloudflare Workers (workerd) entrypoint. The `.wasm` imports (`wasm-files.ts`) become compiled modules (`CompiledWasm`); the app
 * is built on the first request (no I/O at global scope) and kept for the isolate's life; a failed build is retried
 * on the next request.
 */
import jpegDecoder from 'graft-wasm:jpegDecoder';
import png from 'graft-wasm:png';
import tfjs from 'graft-wasm:tfjs';
import webpDecoder from 'graft-wasm:webpDecoder';
import { createEdgeApp, type EdgeEnv } from './edge-app.js';

/** The part of workerd's `ExecutionContext` the Worker uses. */
interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

let app: ReturnType<typeof createEdgeApp> | undefined;

/**
 * The Worker: `fetch(request, env, ctx)` serves the Graft API.
 *
 * @example
 * ```ts
 * const res = await worker.fetch(new Request('https://graft.example/health'), env, ctx);
 * ```
 */
const worker = {
  async fetch(request: Request, env: EdgeEnv, ctx: ExecutionContextLike): Promise<Response> {
    app ??= createEdgeApp(env, { tfjs, jpegDecoder, png, webpDecoder });
    const response = await app.fetch(request, env, ctx as never);
    // A model refresh this request started runs in the background: workerd cancels it with the response unless
    // the request waits for it.
    ctx.waitUntil(app.serving.idle());
    return response;
  },
};

export default worker;
