/**
 * The training report pages and the test images they show:
 * `GET /v1/models/{name}/report` (serving version), `GET /v1/models/{name}/versions/{v}/report`,
 * `GET /v1/models/{name}/versions/{v}/test-images/{index}`.
 */
import { hasCode } from '@graft/errors';
import type { Context } from 'hono';
import type { App, RouteDeps } from '../app-env.js';
import {
  ApiError,
  InvalidRequestError,
  ModelNotFoundError,
  NoServingVersionError,
  ObjectNotFoundError,
  VersionNotFoundError,
} from '../errors.js';
import type { ObjectReader } from '../ports.js';
import type { LoadedReport, ReportLoader } from '../report/load-report.js';
import { ModelNameParams } from '../schemas.js';

/** Media types by sniffed image format; anything else is served as a download, never rendered. */
/** Longest side of the test-image previews on report pages: twice the 96 px the page draws, for dense screens. */
const THUMBNAIL_SIDE = 192;

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

function modelName(c: Context): string {
  const parsed = ModelNameParams.shape.name.safeParse(c.req.param('name'));
  if (!parsed.success) throw new InvalidRequestError(`name: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

function positiveInt(value: string | undefined, what: string, min: number): number {
  const n = /^\d{1,9}$/.test(value ?? '') ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw new InvalidRequestError(`${what} must be an integer ≥ ${min}`);
  return n;
}

function requireStore(deps: RouteDeps): ObjectReader {
  if (!deps.store)
    throw new ApiError('not_configured', 'reports need the object store, which this API was not given');
  return deps.store;
}

/**
 * Registers the report routes (behind the `/v1` authentication).
 *
 * @example
 * ```ts
 * registerReport(app, deps);
 * ```
 */
export function registerReport(app: App, deps: RouteDeps): void {
  // The report modules are imported by the first report request: rendering is no part of a serving start.
  let loader: ReportLoader | undefined;
  const reports = async () => {
    loader ??= new (await import('../report/load-report.js')).ReportLoader(requireStore(deps));
    return loader;
  };

  const load = async (name: string, version: number): Promise<LoadedReport> => {
    const loaded = await (await reports()).load(name, version);
    if (loaded) return loaded;
    if (!(await deps.models.getModel(name))) throw new ModelNotFoundError(name);
    throw new VersionNotFoundError(name, version);
  };

  const page = async (c: Context, name: string, version: number, versionsBase: string) => {
    const [loaded, model, { renderReportPage }] = await Promise.all([
      load(name, version),
      deps.models.getModel(name),
      import('../report/render-page.js'),
    ]);
    const nonce = (c.get('secureHeadersNonce' as never) as string | undefined) ?? undefined;
    c.header('Cache-Control', 'private, no-cache');
    return c.html(renderReportPage({ loaded, model, versionsBase, nonce }));
  };

  app.get('/v1/models/:name/report', async (c) => {
    const name = modelName(c);
    const current = await deps.models.getCurrent(name);
    if (!current) {
      if (!(await deps.models.getModel(name))) throw new ModelNotFoundError(name);
      throw new NoServingVersionError(name);
    }
    return page(c, name, current.version, 'versions/');
  });

  app.get('/v1/models/:name/versions/:version/report', async (c) => {
    const name = modelName(c);
    return page(c, name, positiveInt(c.req.param('version'), 'version', 1), '../');
  });

  app.get('/v1/models/:name/versions/:version/test-images/:index', async (c) => {
    const name = modelName(c);
    const version = positiveInt(c.req.param('version'), 'version', 1);
    const index = positiveInt(c.req.param('index'), 'index', 0);
    const keys = (await load(name, version)).report.testKeys ?? [];
    const key = keys[index];
    if (key === undefined)
      throw new ApiError(
        'test_image_not_found',
        `version ${version} of '${name}' has no test image ${index}`,
      );
    let bytes: Uint8Array;
    try {
      bytes = await requireStore(deps).get(key);
    } catch (err) {
      if (hasCode(err, 'not_found')) throw new ObjectNotFoundError(key);
      throw err;
    }
    const { sniffFormat, thumbnail } = await import('@graft/imaging');
    c.header('Cache-Control', 'private, max-age=3600, immutable');
    // A preview, not the upload: a page of phone photos would otherwise weigh hundreds of MB.
    const preview = await thumbnail(bytes, { maxSide: THUMBNAIL_SIDE }).catch(() => undefined);
    if (preview) {
      c.header('Content-Type', preview.contentType);
      return c.body(preview.bytes as Uint8Array<ArrayBuffer>, 200);
    }
    const type = IMAGE_TYPES[sniffFormat(bytes)];
    c.header('Content-Type', type ?? 'application/octet-stream');
    if (!type) c.header('Content-Disposition', 'attachment');
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200);
  });
}
