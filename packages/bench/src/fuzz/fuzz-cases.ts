/**
 * The fuzzer's cases: a mutated image through the decoders, the same through the predict route, or a mutated JSON
 * body for any route of the app. Each case says what it sent and how it ended.
 */
import { decodeImage, ImagingError } from '@graft/imaging';
import { type AnswerClass, classify, FUZZ_KEY, FUZZ_MODEL, FUZZ_TOKEN, type FuzzApp } from './fuzz-app.js';
import { mutateImage } from './mutate-bytes.js';
import { mutateJson } from './mutate-json.js';

type Rand = () => number;
const int = (rand: Rand, n: number) => Math.floor(rand() * n);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)]!;

/** How one case ended: `crash` is an error no layer turned into a typed answer. */
export interface CaseOutcome {
  target: 'decode' | 'predict' | 'json';
  kind: string;
  outcome: AnswerClass | 'crash';
  code?: string;
  detail?: string;
}

/** What the case in flight sent (named when a case hangs). */
export const inFlight = {
  description: '',
  set(description: string) {
    this.description = description;
    if (process.env.GRAFT_FUZZ_TRACE) process.stderr.write(`${description.slice(0, 300)}\n`);
  },
};

const auth = { authorization: `Bearer ${FUZZ_TOKEN}` };
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'application/octet-stream', 'image/gif', ''];
const JUNK_SEGMENTS = [
  'a..',
  '..',
  '%2e%2e',
  'a'.repeat(128),
  '%00',
  '-x',
  'é',
  'a%2Fb',
  '0',
  '-1',
  '1e9',
  '',
];

/**
 * Decodes a mutation of one fixture directly: every failure must be an `ImagingError` (typed, with a code).
 *
 * @example
 * ```ts
 * const outcome = await decodeCase(fixture, rand);
 * ```
 */
export async function decodeCase(fixture: Uint8Array, rand: Rand): Promise<CaseOutcome> {
  const { kind, bytes } = mutateImage(fixture, rand);
  inFlight.set(`decode ${kind} of ${bytes.length} bytes`);
  try {
    await decodeImage(bytes);
    return { target: 'decode', kind, outcome: 'ok' };
  } catch (error) {
    if (error instanceof ImagingError) return { target: 'decode', kind, outcome: 'typed', code: error.code };
    return { target: 'decode', kind, outcome: 'crash', detail: String(error).slice(0, 200) };
  }
}

/**
 * Posts a mutation of one fixture to the predict route as the raw body (or base64 in JSON).
 *
 * @example
 * ```ts
 * const outcome = await predictCase(target, fixture, rand);
 * ```
 */
export async function predictCase(target: FuzzApp, fixture: Uint8Array, rand: Rand): Promise<CaseOutcome> {
  const { kind, bytes } = mutateImage(fixture, rand);
  const asJson = rand() < 0.2;
  const type = pick(rand, IMAGE_TYPES);
  const init: RequestInit = asJson
    ? {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ image: Buffer.from(bytes).toString('base64'), topK: 1 + int(rand, 3) }),
      }
    : {
        method: 'POST',
        headers: { ...auth, ...(type ? { 'content-type': type } : {}) },
        body: bytes as Uint8Array<ArrayBuffer>,
      };
  return request(
    target,
    `/v1/models/${FUZZ_MODEL}/predict`,
    init,
    'predict',
    asJson ? `${kind}+base64` : kind,
  );
}

/**
 * Sends a mutated JSON body to one route of the app, its path parameters filled with valid or hostile values.
 *
 * @example
 * ```ts
 * const outcome = await jsonCase(target, jobId, rand);
 * ```
 */
export async function jsonCase(target: FuzzApp, jobId: string, rand: Rand): Promise<CaseOutcome> {
  const route = pick(rand, target.routes);
  const url = route.path.replace(/:([A-Za-z]+)(\{[^}]*\})?/g, (_, param: string) =>
    encodeURIComponent(rand() < 0.7 ? validParam(param, jobId) : pick(rand, JUNK_SEGMENTS)),
  );
  const { kind, text } = mutateJson(seedBody(route.path), rand);
  const method = route.method === 'GET' && rand() < 0.1 ? 'POST' : route.method;
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const type =
    rand() < 0.9 ? 'application/json' : pick(rand, ['text/plain', 'application/json; charset=utf-16', '']);
  const init: RequestInit = {
    method,
    headers: { ...auth, ...(type ? { 'content-type': type } : {}) },
    ...(hasBody ? { body: text } : {}),
  };
  return request(target, url, init, 'json', `${method} ${route.path} ${kind}`);
}

async function request(
  target: FuzzApp,
  url: string,
  init: RequestInit,
  kindOf: CaseOutcome['target'],
  kind: string,
): Promise<CaseOutcome> {
  inFlight.set(`${init.method} ${url} ${kind} (${String(init.body ?? '').slice(0, 120)})`);
  try {
    const res = await target.app.request(url, init);
    const answer = await classify(res);
    return {
      target: kindOf,
      kind,
      outcome: answer.kind,
      ...(answer.code ? { code: answer.code } : {}),
      ...(answer.kind === 'server' || answer.kind === 'untyped' ? { detail: `${res.status} ${url}` } : {}),
    };
  } catch (error) {
    return { target: kindOf, kind, outcome: 'crash', detail: `${url}: ${String(error).slice(0, 200)}` };
  }
}

function validParam(param: string, jobId: string): string {
  if (param === 'id') return jobId;
  if (param === 'version') return '1';
  if (param === 'index') return '0';
  return FUZZ_MODEL;
}

/** A valid body for each route that takes one (the starting point of its mutations). */
function seedBody(routePath: string): Parameters<typeof mutateJson>[0] {
  if (routePath === '/v1/trainings')
    return {
      dataset: 'fuzz',
      model: FUZZ_MODEL,
      strategy: 'feature-extraction',
      options: { epochs: 3, batchSize: 16, head: { hidden: 8, dropout: 0.1 }, augmentation: { flip: true } },
      promote: 'if-better',
    };
  if (routePath.endsWith('/predict')) return { s3Key: FUZZ_KEY, topK: 2, threshold: 0.5 };
  if (routePath.endsWith('/promote')) return { version: 1 };
  if (routePath === '/v1/backbones') return { id: 'fuzz-backbone', from: { model: FUZZ_MODEL, version: 1 } };
  return {};
}
