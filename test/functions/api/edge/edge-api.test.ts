/**
 * The edge build of the API, running in workerd itself (Miniflare), against the Node API over the same bucket: the
 * same top-k labels and scores on the fixture images, the same 4xx codes on the bad-input corpus, 401 without the
 * token, and a version published during requests picked up with no failed request.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { grayPng, tinyModelFiles } from '@graft/bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, type EdgeStack, predictAt, startEdgeStack } from './edge-stack.js';

const FIXTURES = path.join(import.meta.dirname, '../../../fixtures');
const manifest = JSON.parse(readFileSync(path.join(FIXTURES, 'bad-inputs/manifest.json'), 'utf8')) as {
  file: string;
  expect: string;
  status: number;
}[];
const REFRESH_MS = 200;

let stack: EdgeStack;
beforeAll(async () => {
  stack = await startEdgeStack({ refreshMs: REFRESH_MS });
  await stack.node.registry.publish('tiny', { ...(await tinyModelFiles(1)), report: {} });
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

describe('edge build in workerd', () => {
  it('answers the fixture images with the same labels and scores as the Node API (within 1e-5)', async () => {
    const files = readdirSync(path.join(FIXTURES, 'images')).sort();
    let compared = 0;
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, 'images', file)));
      const [onNode, onEdge] = [
        await predictAt(stack.node.url, stack.node.token, bytes),
        await predictAt(stack.edge.url, stack.node.token, bytes),
      ];
      expect(onEdge.status, file).toBe(onNode.status);
      if (onNode.status !== 200) {
        expect(onEdge.body.error?.code, file).toBe(onNode.body.error?.code);
        continue;
      }
      compared++;
      const node = onNode.body.predictions ?? [];
      const edge = onEdge.body.predictions ?? [];
      expect(
        edge.map((p) => p.label),
        file,
      ).toEqual(node.map((p) => p.label));
      for (const [i, p] of edge.entries())
        expect(Math.abs(p.score - node[i]!.score), file).toBeLessThan(1e-5);
    }
    expect(compared).toBeGreaterThanOrEqual(10);
  });

  it('gives every file of the bad-input corpus the Node API status and error code', async () => {
    for (const entry of manifest) {
      const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, 'bad-inputs', entry.file)));
      const onEdge = await predictAt(stack.edge.url, stack.node.token, bytes);
      const onNode = await predictAt(stack.node.url, stack.node.token, bytes);
      expect(onEdge.status, entry.file).toBe(entry.status);
      expect(onEdge.status, entry.file).toBe(onNode.status);
      expect(onEdge.body.error?.code, entry.file).toBe(onNode.body.error?.code);
      if (entry.expect !== 'predict') expect(onEdge.body.error?.code, entry.file).toBe(entry.expect);
    }
  });

  it('refuses /v1 without the token or with a wrong one (401), serves it with the token', async () => {
    const none = await fetch(`${stack.edge.url}/v1/models`);
    expect(none.status).toBe(401);
    const wrong = await fetch(`${stack.edge.url}/v1/models`, {
      headers: { authorization: 'Bearer wrong-token-123' },
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe(
      ((await (await fetch(`${stack.node.url}/v1/models`)).json()) as { error: { code: string } }).error.code,
    );
    const ok = await fetch(`${stack.edge.url}/v1/models`, {
      headers: { authorization: `Bearer ${stack.node.token}` },
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { models: { name: string }[] }).models.map((m) => m.name)).toContain('tiny');
  });

  it('serves the same OpenAPI document as the Node API', async () => {
    const [edge, node] = await Promise.all(
      [stack.edge.url, stack.node.url].map(async (base) => (await fetch(`${base}/openapi.json`)).json()),
    );
    expect(edge).toEqual(node);
  });

  it('picks up a version published while requests run, with no failed request', async () => {
    const body = await grayPng(90);
    const before = await predictAt(stack.edge.url, stack.node.token, body);
    expect(before.status).toBe(200);
    const from = before.body.version!;
    const answers: { status: number; version?: number }[] = [];
    let stop = false;
    const loop = async () => {
      while (!stop) {
        const answer = await predictAt(stack.edge.url, stack.node.token, body).catch(
          (): Answer => ({ status: -1, body: {} }),
        );
        answers.push({ status: answer.status, version: answer.body.version });
      }
    };
    const loops = [loop(), loop(), loop()];
    await new Promise((resolve) => setTimeout(resolve, 300));
    const next = await stack.node.registry.publish('tiny', { ...(await tinyModelFiles(2)), report: {} });
    const deadline = Date.now() + 30_000;
    while (!answers.some((a) => a.version === next) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 2 * REFRESH_MS));
    stop = true;
    await Promise.all(loops);
    expect(next).toBe(from + 1);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.some((a) => a.version === from)).toBe(true);
    expect(answers.at(-1)?.version).toBe(next);
    await stack.node.app.serving.refresh('tiny'); // the Node API had no requests during the swap
    const onNode = await predictAt(stack.node.url, stack.node.token, body);
    const onEdge = await predictAt(stack.edge.url, stack.node.token, body);
    expect(onNode.body.version).toBe(next);
    expect(onEdge.body.predictions?.[0]?.score).toBeCloseTo(
      onNode.body.predictions?.[0]?.score ?? Number.NaN,
      5,
    );
  }, 60_000);
});
