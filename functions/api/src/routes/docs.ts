/**
 * `GET /openapi.json` and `GET /docs`.
 *
 * `@hono/swagger-ui` loads Swagger UI's script and styles from cdn.jsdelivr.net at run time, which fails
 * offline and would need a CSP hole; `/docs` is therefore a small self-contained page rendered on the
 * server from the same OpenAPI document (no script, no external asset).
 */
import type { App } from '../app-env.js';

/**
 * OpenAPI document metadata.
 *
 * @example
 * ```ts
 * app.doc31('/openapi.json', OPENAPI_CONFIG);
 * ```
 */
export const OPENAPI_CONFIG = {
  openapi: '3.1.0',
  info: {
    title: 'Graft API',
    version: '1.0.0',
    description:
      'Classify images with models adapted by Graft, manage model versions and start trainings. ' +
      'Every /v1 route needs `Authorization: Bearer <token>`. Errors are `{ "error": { "code", "message" } }`.',
  },
} as const;

/**
 * Registers the OpenAPI document and the docs page.
 *
 * @example
 * ```ts
 * registerDocs(app);
 * ```
 */
export function registerDocs(app: App): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', OPENAPI_CONFIG);
  app.get('/docs', (c) => c.html(renderDocs(app.getOpenAPI31Document(OPENAPI_CONFIG))));
}

interface OperationLike {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description?: string }>;
}

/**
 * Renders an OpenAPI document as an HTML list of its operations.
 *
 * @example
 * ```ts
 * const html = renderDocs(app.getOpenAPI31Document(OPENAPI_CONFIG));
 * ```
 */
export function renderDocs(doc: {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, unknown>;
}): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, raw] of Object.entries(item as Record<string, OperationLike>)) {
      const op = raw ?? {};
      const body = Object.keys(op.requestBody?.content ?? {}).join(', ');
      const responses = Object.entries(op.responses ?? {})
        .map(([status, r]) => `<li><code>${esc(status)}</code> ${esc(r.description ?? '')}</li>`)
        .join('');
      rows.push(
        `<section><h2><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code>` +
          `${op.security?.length ? ' <small>🔒 bearer</small>' : ''}</h2>` +
          `<p>${esc(op.summary ?? '')}</p>${body ? `<p>Body: <code>${esc(body)}</code></p>` : ''}` +
          `<ul>${responses}</ul></section>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
section{border-top:1px solid #ddd;padding:.3rem 0}h2{font-size:1.05rem}.m{display:inline-block;min-width:4rem;
color:#fff;border-radius:4px;padding:0 .4rem;text-align:center;background:#555}.get{background:#2b6cb0}
.post{background:#2f855a}code{background:#f4f4f4;padding:0 .2rem}</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p>${rows.join('\n')}</body></html>`;
}

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );
}
