import { type DatasetSample, encodeGrayPng, importDataset, loadMnistDigits } from '@graft/datasets';
import { startRuntime } from '@graft/local-aws';
import { ApiClient } from '../api-client.js';
import type { Command } from '../command.js';
import { assertNotRunning, dataDirOf } from '../connection.js';
import { intFlag } from '../flags.js';
import { followJob } from '../follow-job.js';
import { waitForSignal } from '../signals.js';

const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * How long the demo lets `auto` spend on expensive candidates (fine-tuning MobileNetV2 takes minutes); evals that
 * train "like the demo" use it too.
 *
 * @example
 * ```ts
 * const spec = { dataset, model, strategy: 'auto', options: { budgetSeconds: DEMO_BUDGET_SECONDS } };
 * ```
 */
export const DEMO_BUDGET_SECONDS = 60;

/**
 * `graft demo` (= `npm start`): the whole product on one machine — starts the runtime, uploads MNIST digits
 * (train/val plus a held-out test split), lets the S3-event fan-out extract them, trains with `auto`, serves the
 * model and predicts the held-out digits through the HTTP API.
 */
export const demoCommand: Command = {
  summary:
    'Run the whole pipeline on MNIST digits: upload, extract, train (auto), serve, predict the held-out set.',
  usage:
    'graft demo [--per-class 100] [--test-per-class 30] [--input-size 96] [--strategy auto] [--budget-seconds 60] [--port 8787] [--data-dir .graft] [--exit] [--json]',
  options: {
    'per-class': { type: 'string' },
    'val-per-class': { type: 'string' },
    'test-per-class': { type: 'string' },
    'input-size': { type: 'string' },
    cut: { type: 'string' },
    strategy: { type: 'string' },
    epochs: { type: 'string' },
    'budget-seconds': { type: 'string' },
    model: { type: 'string' },
    dataset: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    workers: { type: 'string' },
    exit: { type: 'boolean' },
  },
  async run({ flags, out }) {
    const perClass = intFlag(flags, 'per-class', 100);
    const valPerClass = intFlag(flags, 'val-per-class', Math.max(2, Math.round(perClass / 5)));
    const testPerClass = intFlag(flags, 'test-per-class', 30);
    const inputSize = intFlag(flags, 'input-size', 96);
    const model = String(flags.model ?? 'digits');
    const dataset = String(flags.dataset ?? `mnist-demo-${perClass}`);
    await assertNotRunning(dataDirOf(flags));
    const runtime = await startRuntime({
      dataDir: flags['data-dir'] as string | undefined,
      port: flags.port === undefined ? undefined : intFlag(flags, 'port', 0),
      workers: flags.workers === undefined ? undefined : intFlag(flags, 'workers', 1),
      log: (m) => out.info(m),
    });
    try {
      out.info(`Graft is running: API ${runtime.apiUrl}  S3 ${runtime.s3Endpoint}/${runtime.bucket}`);
      const api = new ApiClient(runtime.apiUrl, runtime.token);

      // 1. Upload: the same path a user takes — objects into S3, which fans out events to the extract workers.
      const set = await loadMnistDigits({ perClass: perClass + valPerClass + testPerClass, digits: DIGITS });
      const seen = new Map<number, number>();
      const samples: (DatasetSample & { split: 'train' | 'val' | 'test' })[] = [];
      set.images.forEach((pixels, i) => {
        const digit = set.labels[i]!;
        const n = seen.get(digit) ?? 0;
        seen.set(digit, n + 1);
        const split = n < perClass ? 'train' : n < perClass + valPerClass ? 'val' : 'test';
        samples.push({
          label: String(digit),
          name: `digit-${digit}-${String(n).padStart(4, '0')}.png`,
          split,
          bytes: encodeGrayPng(pixels, set.width, set.height),
        });
      });
      const started = performance.now();
      out.info(`Uploading ${samples.length} MNIST digits to s3://${runtime.bucket}/datasets/${dataset}/ …`);
      await importDataset(runtime.store, dataset, samples, {
        config: { backbone: 'mobilenet_v2', inputSize, cut: String(flags.cut ?? 'block_13_expand_relu') },
        onProgress: ({ done, total }) => out.progress('upload', done, total),
      });
      const waitStarted = performance.now();
      const timer = setInterval(() => {
        const s = runtime.stats;
        out.progress('extract', s.extracted + s.duplicate + s.rejected, samples.length);
      }, 500);
      await runtime.extractionIdle();
      clearInterval(timer);
      const extractSeconds = (performance.now() - started) / 1000;
      out.info(
        `Extracted ${runtime.stats.extracted} (duplicates ${runtime.stats.duplicate}, rejected ${runtime.stats.rejected}) in ${extractSeconds.toFixed(1)} s (${((performance.now() - waitStarted) / 1000).toFixed(1)} s after the last upload)`,
      );

      // 2. Train through the API, like a user would.
      const trainStarted = performance.now();
      const options: Record<string, unknown> = {};
      if (flags.epochs) options.epochs = intFlag(flags, 'epochs', 10);
      // The demo is a one-minute tour: auto's expensive candidates join only if they fit in a minute.
      const strategy = String(flags.strategy ?? 'auto');
      if (strategy === 'auto') options.budgetSeconds = intFlag(flags, 'budget-seconds', DEMO_BUDGET_SECONDS);
      const { id } = await api.json<{ id: string }>('POST', '/v1/trainings', {
        dataset,
        model,
        strategy,
        options,
      });
      const job = await followJob(api, id, out);
      const trainSeconds = (performance.now() - trainStarted) / 1000;
      const result = (job.result ?? {}) as Record<string, unknown>;
      out.info(
        `Trained ${model} v${result.version} with ${result.strategy} in ${trainSeconds.toFixed(1)} s. ${result.explanation ?? ''}`,
      );

      // 3. Predict the held-out digits through the HTTP API.
      const test = samples.filter((s) => s.split === 'test');
      let correct = 0;
      let version = 0;
      for (const [i, sample] of test.entries()) {
        const answer = await api.predict(model, sample.bytes, 'image/png', 1);
        version = answer.version;
        if (answer.predictions[0]?.label === sample.label) correct++;
        out.progress('predict', i + 1, test.length);
      }
      const accuracy = correct / Math.max(1, test.length);
      out.info(
        `Held-out accuracy through the API: ${(accuracy * 100).toFixed(1)} % on ${test.length} digits`,
      );
      const summary = {
        images: samples.length,
        extractSeconds: round(extractSeconds),
        trainSeconds: round(trainSeconds),
        strategy: result.strategy,
        scenario: result.scenario,
        explanation: result.explanation,
        accuracy: round(accuracy, 4),
        testImages: test.length,
        model,
        modelVersion: version,
        apiUrl: runtime.apiUrl,
        docsUrl: `${runtime.apiUrl}/docs`,
      };
      if (flags.exit) {
        out.result(summary);
        return 0;
      }
      // The token in the link is exchanged for a session cookie on the first visit (and dropped from the URL).
      const reportUrl = `${runtime.apiUrl}/v1/models/${encodeURIComponent(model)}/report?token=${encodeURIComponent(runtime.token)}`;
      // The try-it page reads the token from the fragment (never sent to the server) and keeps it for the tab.
      const tryItUrl = `${runtime.apiUrl}/#token=${encodeURIComponent(runtime.token)}`;
      out.result({
        ...summary,
        reportUrl,
        tryItUrl,
        token: runtime.token,
        modelVersion: version,
        s3Endpoint: runtime.s3Endpoint,
        bucket: runtime.bucket,
      });
      out.info(`Training report: ${reportUrl}`);
      out.info(`Try it: ${tryItUrl}`);
      out.info(`Serving at ${runtime.apiUrl} (token ${runtime.token}); Ctrl-C to stop.`);
      await waitForSignal();
      return 0;
    } finally {
      await runtime.close();
    }
  },
};

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
