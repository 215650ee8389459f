import { CliError } from './errors.js';

/** A small typed client of Graft's HTTP API (the same API users call). */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /**
   * A link to one of the API's pages that a browser can open: it carries the token once (`?token=`), the API swaps
   * it for a session cookie and redirects to the page without it.
   *
   * @example
   * ```ts
   * api.pageLink('/v1/models/pets/versions/2/report'); // 'http://127.0.0.1:8787/v1/models/pets/versions/2/report?token=…'
   * ```
   */
  pageLink(route: string): string {
    const url = new URL(route, this.baseUrl);
    url.searchParams.set('token', this.token);
    return url.toString();
  }

  /**
   * Calls the API and returns its JSON; an error answer becomes a {@link CliError} with the API's code.
   *
   * @example
   * ```ts
   * const { id } = await api.json<{ id: string }>('POST', '/v1/trainings', { dataset: 'digits', model: 'digits', strategy: 'auto' });
   * ```
   */
  async json<T>(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${this.token}`, ...headers } };
    if (body instanceof Uint8Array) init.body = body as Uint8Array<ArrayBuffer>;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const response = await fetch(new URL(route, this.baseUrl), init);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new CliError(
        error?.code ?? `http_${response.status}`,
        `${method} ${route}: ${response.status} ${error?.message ?? text.slice(0, 200)}`,
      );
    }
    return parsed as T;
  }

  /** Classifies image bytes with a served model. */
  predict(model: string, bytes: Uint8Array, contentType: string, topK = 3) {
    return this.json<PredictResponse>(
      'POST',
      `/v1/models/${encodeURIComponent(model)}/predict?topK=${topK}`,
      bytes,
      {
        'content-type': contentType,
      },
    );
  }
}

/** The API's answer to a prediction. */
export interface PredictResponse {
  model: string;
  version: number;
  predictions: { label: string; score: number }[];
  unknown: boolean;
  timings: { decodeMs: number; inferMs: number };
}
