import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApiToken } from '../../../functions/api/src/index.js';

// A local HTTP server that answers like the AWS Parameters and Secrets Lambda Extension does.
const secrets: Record<string, string> = {
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:graft-api-token-AbCdEf':
    '{"token":"from-json-secret-123"}',
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:plain-XyZ': 'plain-secret-token-456',
};
const seen: IncomingMessage[] = [];
let port = 0;
const server = createServer((req, res) => {
  seen.push(req);
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.headers['x-aws-parameters-secrets-token'] !== 'session-token') {
    res.writeHead(401).end('missing X-Aws-Parameters-Secrets-Token');
    return;
  }
  const id = url.searchParams.get('secretId') ?? '';
  const value = url.pathname === '/secretsmanager/get' ? secrets[id] : undefined;
  if (!value) {
    res.writeHead(400).end(`ResourceNotFoundException: ${id}`);
    return;
  }
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ ARN: id, SecretString: value }));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

// `localhost` may resolve to ::1 first; the test server listens on 127.0.0.1 only.
const toLoopback: typeof fetch = (input, init) =>
  fetch(String(input).replace('//localhost:', '//127.0.0.1:'), init);

describe('resolveApiToken', () => {
  it('prefers GRAFT_API_TOKEN', async () => {
    expect(
      await resolveApiToken({ GRAFT_API_TOKEN: 'env-token-1234', GRAFT_API_TOKEN_SECRET_ARN: 'x' }),
    ).toBe('env-token-1234');
    expect(await resolveApiToken({})).toBeUndefined();
  });

  it('reads the secret through the extension, unwrapping {"token"} JSON', async () => {
    const env = { AWS_SESSION_TOKEN: 'session-token', PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port) };
    const a = Object.keys(secrets)[0] ?? '';
    const b = Object.keys(secrets)[1] ?? '';
    expect(await resolveApiToken({ ...env, GRAFT_API_TOKEN_SECRET_ARN: a }, toLoopback)).toBe(
      'from-json-secret-123',
    );
    expect(await resolveApiToken({ ...env, GRAFT_API_TOKEN_SECRET_ARN: b }, toLoopback)).toBe(
      'plain-secret-token-456',
    );
    expect(seen.at(-1)?.url).toBe(`/secretsmanager/get?secretId=${encodeURIComponent(b)}`);
  });

  it('fails with a ConfigError when the extension refuses or is absent', async () => {
    const env = { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port), GRAFT_API_TOKEN_SECRET_ARN: 'nope' };
    await expect(
      resolveApiToken({ ...env, AWS_SESSION_TOKEN: 'session-token' }, toLoopback),
    ).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining('HTTP 400'),
    });
    await expect(resolveApiToken(env, toLoopback)).rejects.toThrow(/HTTP 401/);
    await expect(
      resolveApiToken(
        { GRAFT_API_TOKEN_SECRET_ARN: 'a', PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '1' },
        toLoopback,
      ),
    ).rejects.toThrow(/cannot reach/);
  });
});
