/**
 * A {@link BlobStore} over the S3 REST API with `fetch` and a small SigV4 signer — no AWS SDK — for runtimes where
 * the SDK is heavy or cannot run (workerd / Cloudflare Workers, against R2, AWS S3, MinIO or the embedded server).
 * Path-style addressing; whole-object puts only (no multipart: the edge reads models, it does not upload datasets).
 */
import type { BlobBody, BlobInfo, BlobStore, PutOptions } from './blob-store.js';
import { collectBytes, inMemoryBytes } from './body.js';
import { InvalidArgumentError } from './errors.js';
import { assertSafeKey } from './key-rules.js';
import { mapS3Error } from './s3-errors.js';
import { type S3Credentials, signRequest, uriEncode } from './sigv4.js';

/**
 * Options of {@link FetchS3BlobStore}.
 *
 * @example
 * ```ts
 * const options: FetchS3Options = { endpoint: 'https://<account>.r2.cloudflarestorage.com', bucket: 'graft', region: 'auto', credentials };
 * ```
 */
export interface FetchS3Options {
  /** Base URL of the S3 API (`http://127.0.0.1:4569`, `https://s3.us-east-1.amazonaws.com`, an R2 endpoint). */
  endpoint: string;
  bucket: string;
  /** Signing region (`auto` for R2; default `us-east-1`). */
  region?: string;
  credentials: S3Credentials;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
}

function xmlValues(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(m[1] as string);
  return out;
}

function unescapeXml(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(Number.parseInt(n, 16)))
    .replace(/&amp;/g, '&');
}

function stripQuotes(etag: string | null | undefined): string | undefined {
  return etag ? etag.replace(/^"|"$/g, '') : undefined;
}

/** An S3 error answer shaped like the SDK's errors, so {@link mapS3Error} maps it the same way. */
async function s3Failure(res: Response): Promise<Error> {
  const body = res.status === 304 || res.bodyUsed ? '' : await res.text().catch(() => '');
  const name = xmlValues(body, 'Code')[0] ?? (res.status === 404 ? 'NotFound' : `Http${res.status}`);
  const message = xmlValues(body, 'Message')[0] ?? res.statusText;
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: res.status } });
}

/**
 * S3 with `fetch` and SigV4 (Web Crypto): `get`, `put` (with `If-None-Match: *`), `head`, `list`, `delete`.
 *
 * @example
 * ```ts
 * const store = new FetchS3BlobStore({ endpoint: env.GRAFT_S3_ENDPOINT, bucket: 'graft', region: 'auto', credentials });
 * const pointer = await store.get('models/digits/current.json');
 * ```
 */
export class FetchS3BlobStore implements BlobStore {
  private readonly base: string;
  private readonly region: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: FetchS3Options) {
    if (!URL.canParse(options.endpoint)) throw new InvalidArgumentError(`not a URL: ${options.endpoint}`);
    this.base = options.endpoint.replace(/\/+$/, '');
    this.region = options.region ?? 'us-east-1';
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async get(key: string): Promise<Uint8Array> {
    assertSafeKey(key);
    const res = await this.send('GET', key);
    if (!res.ok) throw mapS3Error(await s3Failure(res), key);
    return new Uint8Array(await res.arrayBuffer());
  }

  async put(key: string, body: BlobBody, options: PutOptions = {}): Promise<void> {
    assertSafeKey(key);
    const headers: Record<string, string> = {};
    if (options.contentType) headers['content-type'] = options.contentType;
    if (options.ifNoneMatch) headers['if-none-match'] = '*';
    for (const [name, value] of Object.entries(options.metadata ?? {})) headers[`x-amz-meta-${name}`] = value;
    const res = await this.send('PUT', key, {
      headers,
      body: inMemoryBytes(body) ?? (await collectBytes(body as AsyncIterable<Uint8Array>)),
    });
    if (!res.ok) throw mapS3Error(await s3Failure(res), key);
    await res.body?.cancel();
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    assertSafeKey(key);
    const res = await this.send('HEAD', key);
    if (res.status === 404) return undefined;
    if (!res.ok) throw mapS3Error(await s3Failure(res), key);
    const modified = res.headers.get('last-modified');
    return {
      key,
      size: Number(res.headers.get('content-length') ?? 0),
      etag: stripQuotes(res.headers.get('etag')),
      lastModified: modified ? new Date(modified) : undefined,
      contentType: res.headers.get('content-type') ?? undefined,
    };
  }

  async *list(
    prefix: string,
    options: { startAfter?: string; maxKeys?: number } = {},
  ): AsyncIterable<BlobInfo> {
    let token: string | undefined;
    do {
      const query: Record<string, string> = { 'list-type': '2', prefix };
      if (token) query['continuation-token'] = token;
      else if (options.startAfter) query['start-after'] = options.startAfter;
      if (options.maxKeys) query['max-keys'] = String(options.maxKeys);
      const res = await this.send('GET', '', { query });
      if (!res.ok) throw mapS3Error(await s3Failure(res), prefix);
      const xml = await res.text();
      for (const item of xmlValues(xml, 'Contents')) {
        const key = xmlValues(item, 'Key')[0];
        if (key === undefined) continue;
        const modified = xmlValues(item, 'LastModified')[0];
        yield {
          key: unescapeXml(key),
          size: Number(xmlValues(item, 'Size')[0] ?? 0),
          etag: stripQuotes(unescapeXml(xmlValues(item, 'ETag')[0] ?? '')),
          lastModified: modified ? new Date(modified) : undefined,
        };
      }
      const truncated = xmlValues(xml, 'IsTruncated')[0] === 'true';
      const next = xmlValues(xml, 'NextContinuationToken')[0];
      token = truncated && next ? unescapeXml(next) : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    const res = await this.send('DELETE', key);
    if (!res.ok && res.status !== 404) throw mapS3Error(await s3Failure(res), key);
    await res.body?.cancel();
  }

  private async send(
    method: string,
    key: string,
    extra: { headers?: Record<string, string>; body?: Uint8Array; query?: Record<string, string> } = {},
  ): Promise<Response> {
    const url = new URL(`${this.base}/${uriEncode(this.options.bucket)}/${uriEncode(key, true)}`);
    if (!key) url.pathname = url.pathname.replace(/\/$/, '');
    // RFC 3986 as signed (a space is %20, never `+`, which S3 and the local server take literally).
    url.search = Object.entries(extra.query ?? {})
      .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
      .join('&');
    const signed = await signRequest(
      { method, url, headers: extra.headers ?? {}, body: extra.body },
      { region: this.region, credentials: this.options.credentials },
    );
    const { host: _host, ...headers } = signed;
    try {
      return await this.fetchFn(url, {
        method,
        headers,
        body: extra.body as BodyInit | undefined,
      });
    } catch (err) {
      throw mapS3Error(
        Object.assign(new Error(String((err as Error)?.message ?? err)), {
          cause: err,
          name: 'TimeoutError',
        }),
        key,
      );
    }
  }
}
