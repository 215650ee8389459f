/**
 * The fetch-based SigV4 signer against AWS's published S3 example and against the AWS SDK's own signer.
 */

import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { signRequest, uriEncode } from '@graft/storage';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';

function bytesOf(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The hash the SDK signer wants (`@smithy/types` Checksum), over node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

describe('signRequest', () => {
  it("reproduces AWS's GET Object example signature (S3 SigV4 documentation)", async () => {
    const headers = await signRequest(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
        headers: { Range: 'bytes=0-9' },
      },
      { region: 'us-east-1', credentials, now: new Date('2013-05-24T00:00:00Z') },
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('signs a list request with a query and a PUT with a body exactly like the AWS SDK signer', async () => {
    const now = new Date('2026-12-03T12:00:00Z');
    const sdk = new SignatureV4({
      credentials,
      region: 'auto',
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: true,
    });
    const cases: { method: string; path: string; query: Record<string, string>; body?: Uint8Array }[] = [
      {
        method: 'GET',
        path: '/graft',
        query: { 'list-type': '2', prefix: 'models/a b+c/', 'max-keys': '10' },
        body: undefined,
      },
      {
        method: 'PUT',
        path: `/graft/${uriEncode('jobs/x y+z.json', true)}`,
        query: {},
        body: new TextEncoder().encode('{"a":1}'),
      },
    ];
    for (const c of cases) {
      const url = new URL(`http://127.0.0.1:9000${c.path}`);
      for (const [k, v] of Object.entries(c.query)) url.searchParams.set(k, v);
      const ours = await signRequest(
        { method: c.method, url, headers: { 'content-type': 'application/json' }, body: c.body },
        { region: 'auto', credentials, now },
      );
      const theirs = await sdk.sign(
        {
          method: c.method,
          protocol: 'http:',
          hostname: '127.0.0.1',
          port: 9000,
          path: c.path,
          query: c.query,
          headers: {
            host: '127.0.0.1:9000',
            'content-type': 'application/json',
            'x-amz-content-sha256': ours['x-amz-content-sha256']!,
          },
          body: c.body,
        },
        { signingDate: now },
      );
      expect(ours.authorization, c.method).toBe(theirs.headers.authorization);
    }
  });
});
