/**
 * `GET /` (the try-it page), `GET /favicon.ico` (none: 204) and `POST /v1/session` (turns a bearer token into the session cookie, so links to
 * report pages work in the same browser).
 */
import type { App, RouteDeps } from '../app-env.js';
import { startSession } from '../auth.js';
import { documentPageRoutes } from '../report/openapi-paths.js';

/**
 * Registers the pages. `POST /v1/session` relies on the `/v1` bearer authentication in front of it.
 *
 * @example
 * ```ts
 * registerPages(app, deps);
 * ```
 */
export function registerPages(app: App, deps: RouteDeps): void {
  documentPageRoutes(app);
  app.get('/', async (c) => {
    const { renderTryIt } = await import('../pages/try-it.js');
    c.header('Cache-Control', 'no-cache');
    return c.html(renderTryIt(c.get('secureHeadersNonce' as never) as string | undefined));
  });

  // Browsers ask for it on every page; no icon (and no 404 in their consoles).
  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.post('/v1/session', async (c) => {
    await startSession(c, deps.token, (deps.now ?? Date.now)());
    return c.body(null, 204);
  });
}
