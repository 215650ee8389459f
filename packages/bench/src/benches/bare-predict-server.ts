/**
 * The c=1 reference of `graft bench api`: the same model version answering the same image over the same loopback,
 * from a bare `node:http` server (no router, middleware, validation or JSON schema). The prediction route's p50 over
 * this server's is what Graft's HTTP layer adds; this server's over raw inference is what any Node HTTP server pays
 * on the machine (the client, the kernel's loopback, waking each side).
 *
 * Run as a child process: `node --import tsx/esm bare-predict-server.ts <files.json> <threads>` (tsx's ESM loader
 * alone and no source maps, as `graft` runs); prints `{"apiUrl": …}` once listening, and answers `POST /` (the image
 * as the body) once it has classified it (top 3) with `{"ok":true}`, or 422 when it cannot.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { VersionFiles } from '@graft/fn-api';
import { startRawBatch } from './api-throughput.js';
import { benchJpeg } from './bench-image.js';

/**
 * Writes a version's files where {@link BARE_PREDICT_SERVER} reads them (JSON, binary parts as base64).
 *
 * @example
 * ```ts
 * await writeFile(file, serializeVersionFiles(published.files));
 * ```
 */
export function serializeVersionFiles(files: VersionFiles): string {
  return JSON.stringify({
    modelJson: files.modelJson,
    graft: files.graft,
    weights: Buffer.from(files.weights).toString('base64'),
    ...(files.ood ? { ood: Buffer.from(files.ood).toString('base64') } : {}),
  });
}

/**
 * This program's path, for `spawn(process.execPath, ['--import', 'tsx/esm', BARE_PREDICT_SERVER, filesJson, threads])`.
 *
 * @example
 * ```ts
 * spawn(process.execPath, ['--import', 'tsx/esm', BARE_PREDICT_SERVER, file, '0']);
 * ```
 */
export const BARE_PREDICT_SERVER = fileURLToPath(import.meta.url);

async function main(filesPath: string, threads: number): Promise<void> {
  process.setSourceMapsEnabled(false);
  const parsed = JSON.parse(await readFile(filesPath, 'utf8')) as Record<string, string>;
  const files: VersionFiles = {
    modelJson: parsed.modelJson!,
    graft: parsed.graft!,
    weights: new Uint8Array(Buffer.from(parsed.weights!, 'base64')),
    ...(parsed.ood ? { ood: new Uint8Array(Buffer.from(parsed.ood, 'base64')) } : {}),
  };
  const { initBackend } = await import('@graft/runtime');
  await initBackend({ backend: 'wasm' });
  // startRawBatch warms the model up on a batch of the bench's image; the requests bring their own.
  const model = await startRawBatch(files, { threads, image: await benchJpeg(224) });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      model.classifyOnce(new Uint8Array(Buffer.concat(chunks))).then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
        (error: unknown) => res.writeHead(422, { 'content-type': 'text/plain' }).end(String(error)),
      );
    });
  });
  server.listen(0, '127.0.0.1', () => {
    console.log(JSON.stringify({ apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
  process.once('SIGTERM', () => {
    server.close();
    void model.close().then(() => process.exit(0));
  });
}

if (process.argv[1] === BARE_PREDICT_SERVER) await main(process.argv[2]!, Number(process.argv[3] ?? 0));
