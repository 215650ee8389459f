import type { tf } from '@graft/runtime';
import { InvalidModelError, SourceNotAllowedError, SourceTooLargeError } from './errors.js';
import { parseModelJson, toArtifacts } from './model-json.js';
import { checkModelUrl } from './url-policy.js';

/** Options of {@link fetchModelUrl}. */
export interface FetchModelOptions {
  allow: string[];
  lookup?: (hostname: string) => Promise<string[]>;
  /** Upper bound on all bytes downloaded; default 256 MiB. */
  maxBytes?: number;
  /** Per-request timeout in ms; default 60 s. */
  timeoutMs?: number;
}

async function readLimited(
  response: Response,
  budget: { left: number; limit: number },
  what: string,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > budget.left) throw new SourceTooLargeError(what, budget.limit);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > budget.left) {
      await reader.cancel();
      throw new SourceTooLargeError(what, budget.limit);
    }
    chunks.push(value);
  }
  budget.left -= total;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function get(
  url: URL,
  options: FetchModelOptions,
  budget: { left: number; limit: number },
): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
  } catch (cause) {
    throw new InvalidModelError(`cannot fetch ${url.href}`, { cause });
  }
  if (!response.ok) throw new InvalidModelError(`fetching ${url.href} failed: HTTP ${response.status}`);
  return readLimited(response, budget, url.href);
}

/**
 * Downloads a tfjs LayersModel (`model.json` + shards) from an allow-listed origin. Every URL is checked with
 * {@link checkModelUrl} before it is requested; redirects are refused; weight paths must be plain relative
 * paths that stay under the model's origin. More than `maxBytes` in all is refused with `SourceTooLargeError`.
 *
 * @example
 * ```ts
 * const artifacts = await fetchModelUrl('https://models.example.com/m/model.json', {
 *   allow: ['https://models.example.com'],
 * });
 * ```
 */
export async function fetchModelUrl(raw: string, options: FetchModelOptions): Promise<tf.io.ModelArtifacts> {
  const url = await checkModelUrl(raw, options.allow, options.lookup);
  const limit = options.maxBytes ?? 256 * 1024 * 1024;
  const budget = { left: limit, limit };
  const json = parseModelJson(new TextDecoder().decode(await get(url, options, budget)));
  const shards: ArrayBuffer[] = [];
  for (const p of json.weightsManifest.flatMap((g) => g.paths)) {
    const shardUrl = new URL(p, url);
    if (shardUrl.origin !== url.origin)
      throw new SourceNotAllowedError(`weight path '${p}' leaves ${url.origin}`);
    const bytes = await get(shardUrl, options, budget);
    shards.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  }
  return toArtifacts(json, shards);
}
