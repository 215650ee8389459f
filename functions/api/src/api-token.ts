/**
 * Where the API token comes from: `GRAFT_API_TOKEN`, or the secret named by `GRAFT_API_TOKEN_SECRET_ARN`
 * read through the AWS Parameters and Secrets Lambda Extension (a local HTTP cache on port 2773 that the
 * extension layer runs next to the function; no SDK needed). Web-standard `fetch` only.
 */
import { ConfigError } from './errors.js';

/**
 * Environment variables the token resolution reads.
 *
 * @example
 * ```ts
 * const env: TokenEnv = { GRAFT_API_TOKEN_SECRET_ARN: arn, AWS_SESSION_TOKEN: process.env.AWS_SESSION_TOKEN };
 * ```
 */
export interface TokenEnv {
  GRAFT_API_TOKEN?: string;
  GRAFT_API_TOKEN_SECRET_ARN?: string;
  /** Set by Lambda; the extension requires it in `X-Aws-Parameters-Secrets-Token`. */
  AWS_SESSION_TOKEN?: string;
  /** The extension's port (default 2773). */
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT?: string;
}

/**
 * Resolves the API token. A secret whose value is JSON `{ "token": "..." }` is unwrapped; any other string is
 * used as it is.
 *
 * @example
 * ```ts
 * const token = await resolveApiToken(process.env);
 * ```
 */
export async function resolveApiToken(
  env: TokenEnv,
  fetchFn: typeof fetch = fetch,
): Promise<string | undefined> {
  if (env.GRAFT_API_TOKEN) return env.GRAFT_API_TOKEN;
  const arn = env.GRAFT_API_TOKEN_SECRET_ARN;
  if (!arn) return undefined;
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(arn)}`;
  let res: Response;
  try {
    res = await fetchFn(url, { headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' } });
  } catch (err) {
    throw new ConfigError(
      `cannot reach the Parameters and Secrets extension on port ${port} (is the layer attached?): ${String(err)}`,
    );
  }
  if (!res.ok) throw new ConfigError(`reading secret ${arn} failed: HTTP ${res.status} ${await res.text()}`);
  const { SecretString } = (await res.json()) as { SecretString?: string };
  if (!SecretString) throw new ConfigError(`secret ${arn} has no SecretString`);
  try {
    const parsed = JSON.parse(SecretString) as { token?: unknown };
    if (typeof parsed?.token === 'string') return parsed.token;
  } catch {
    // not JSON: the secret string is the token itself
  }
  return SecretString;
}
