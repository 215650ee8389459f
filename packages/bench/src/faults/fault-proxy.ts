/**
 * An HTTP proxy on 127.0.0.1 in front of an S3 endpoint that injects faults at a set rate with a seeded RNG:
 * 500 and 503 answers (S3's XML error bodies, request not forwarded), connection resets after the upstream
 * did the work (the client never learns it succeeded) and slow responses. It counts what it injected and
 * logs every request, so tests can count the work that reached the store (e.g. feature writes).
 * It forwards requests unchanged, Host included: clients sign for the proxy's address, so the embedded S3 must
 * admit it (`s3.allowHost(new URL(proxy.url).host)`) for the signature and the Host check to agree.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '@graft/core';

/**
 * What the proxy can do to one request.
 *
 * @example
 * ```ts
 * const kinds: FaultKind[] = ['error503', 'reset'];
 * ```
 */
export type FaultKind = 'error500' | 'error503' | 'reset' | 'slow';

/**
 * Options of {@link startFaultProxy}.
 *
 * @example
 * ```ts
 * const options: FaultProxyOptions = { target: s3.endpoint, rate: 0.1, seed: 7 };
 * ```
 */
export interface FaultProxyOptions {
  /** Upstream base URL, e.g. the embedded S3's `http://127.0.0.1:4568`. Only loopback targets are accepted. */
  target: string;
  /** Probability that a request gets a fault (0..1; default 0). Change it later with `setRate`. */
  rate?: number;
  /** Seed of the RNG that picks the faulted requests and the kind (default 1). */
  seed?: number;
  /** Kinds to draw from, uniformly (default all four). */
  kinds?: FaultKind[];
  /** Extra delay of a `slow` fault (default 250 ms). */
  slowMs?: number;
  /** Only requests this returns true for can be faulted (default: all). */
  eligible?(request: { method: string; path: string }): boolean;
}

/**
 * One proxied request, as the log keeps it.
 *
 * @example
 * ```ts
 * const puts = proxy.log.filter((r: ProxiedRequest) => r.method === 'PUT' && !r.fault);
 * ```
 */
export interface ProxiedRequest {
  method: string;
  /** Path and query as sent (path-style: `/<bucket>/<url-encoded key>`). */
  path: string;
  fault?: FaultKind;
  /** Upstream status (undefined when not forwarded or the upstream failed). */
  status?: number;
}

/**
 * Counts of the proxy's work.
 *
 * @example
 * ```ts
 * const { totalInjected, injected }: FaultCounts = proxy.counts;
 * ```
 */
export interface FaultCounts {
  requests: number;
  forwarded: number;
  injected: Record<FaultKind, number>;
  /** Sum of `injected`. */
  totalInjected: number;
}

/**
 * A running proxy.
 *
 * @example
 * ```ts
 * const proxy: FaultProxy = await startFaultProxy({ target: s3.endpoint });
 * proxy.setRate(0.2);
 * ```
 */
export interface FaultProxy {
  url: string;
  port: number;
  counts: FaultCounts;
  /** Every request seen, in arrival order. */
  log: ProxiedRequest[];
  setRate(rate: number): void;
  close(): Promise<void>;
}

const S3_ERRORS: Record<'error500' | 'error503', { status: number; code: string; message: string }> = {
  error500: {
    status: 500,
    code: 'InternalError',
    message: 'We encountered an internal error. Please try again.',
  },
  error503: { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
};

/**
 * Starts the proxy on 127.0.0.1 (a free port).
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ target: s3.endpoint, rate: 0.1, seed: 42 });
 * const client = s3ClientFor({ endpoint: proxy.url, bucket, region: 'us-east-1', credentials, maxAttempts: 1 });
 * // … run the pipeline …
 * console.log(proxy.counts.totalInjected);
 * await proxy.close();
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`the fault proxy only fronts loopback endpoints, not ${target.hostname}`);
  }
  const random = seededRandom(options.seed ?? 1);
  const kinds = options.kinds ?? ['error500', 'error503', 'reset', 'slow'];
  if (kinds.length === 0) throw new Error('kinds must name at least one fault');
  const slowMs = options.slowMs ?? 250;
  let rate = options.rate ?? 0;
  const counts: FaultCounts = {
    requests: 0,
    forwarded: 0,
    injected: { error500: 0, error503: 0, reset: 0, slow: 0 },
    totalInjected: 0,
  };
  const log: ProxiedRequest[] = [];
  const agent = new http.Agent({ keepAlive: true });

  const pick = (method: string, path: string): FaultKind | undefined => {
    // Always draw twice, so the sequence of decisions does not depend on eligibility or the rate.
    const roll = random();
    const kind = kinds[Math.floor(random() * kinds.length)]!;
    if (roll >= rate || (options.eligible && !options.eligible({ method, path }))) return undefined;
    return kind;
  };

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const entry: ProxiedRequest = { method, path };
    log.push(entry);
    counts.requests++;
    const fault = pick(method, path);
    if (fault) {
      entry.fault = fault;
      counts.injected[fault]++;
      counts.totalInjected++;
    }
    if (fault === 'error500' || fault === 'error503') {
      const error = S3_ERRORS[fault];
      req.resume();
      req.once('end', () => {
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${error.message}</Message><RequestId>fault-proxy</RequestId></Error>`;
        res.writeHead(error.status, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      });
      return;
    }
    const forward = () => {
      counts.forwarded++;
      const upstream = http.request(
        {
          host: target.hostname.replace(/^\[|\]$/g, ''),
          port: target.port,
          method,
          path,
          headers: req.headers,
          agent,
        },
        (up) => {
          entry.status = up.statusCode;
          if (fault === 'reset') {
            // The upstream did the work; the client only sees its connection die.
            up.resume();
            up.once('end', () => req.socket.destroy());
            return;
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.once('error', () => req.socket.destroy());
      req.pipe(upstream);
    };
    if (fault === 'slow') setTimeout(forward, slowMs);
    else forward();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts,
    log,
    setRate(next: number) {
      if (!(next >= 0 && next <= 1)) throw new Error(`rate must be within 0..1, got ${next}`);
      rate = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
