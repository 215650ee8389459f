/**
 * Pure parts of the report: the tolerant report parser, the grouping of test images into confusion cells,
 * chart scales and the SVG charts' escaping.
 */
import { describe, expect, it } from 'vitest';
import { confusionTable } from '../../../functions/api/src/report/charts/confusion.js';
import { lineChart } from '../../../functions/api/src/report/charts/line-chart.js';
import { reliabilityDiagram } from '../../../functions/api/src/report/charts/reliability.js';
import { ticks } from '../../../functions/api/src/report/charts/scale.js';
import { decisionSection } from '../../../functions/api/src/report/render-data.js';
import { parseReport } from '../../../functions/api/src/report/report-data.js';
import { groupTestImages } from '../../../functions/api/src/report/test-cells.js';

const keys = [
  'datasets/d/test/cat/1.png',
  'datasets/d/test/cat/2.png',
  'datasets/d/test/dog/3.png',
  'datasets/d/dog/4.png',
];

describe('parseReport', () => {
  it('keeps well-typed fields and drops malformed ones instead of throwing', () => {
    const r = parseReport({
      dataset: 'd',
      history: [
        { loss: 1, acc: 0.5 },
        { loss: 0.5, acc: 0.7, valLoss: 0.6, valAcc: 0.6 },
      ],
      bestEpoch: 1.5,
      test: { accuracy: 'high', confusion: [[1, 2], [3]], perClass: [{ label: 'cat', f1: 0.5 }] },
      rejected: 4,
      testKeys: ['a', 3],
    });
    expect(r.dataset).toBe('d');
    expect(r.history).toHaveLength(2);
    expect(r.bestEpoch).toBeUndefined();
    expect(r.test?.accuracy).toBeUndefined();
    expect(r.test?.confusion).toBeUndefined(); // not square
    expect(r.test?.perClass).toEqual([{ label: 'cat', f1: 0.5 }]);
    expect(r.rejectedCount).toBe(4);
    expect(r.testKeys).toBeUndefined();
    for (const junk of [null, 'x', 3, [], { history: null, test: [] }])
      expect(() => parseReport(junk)).not.toThrow();
  });
});

describe('groupTestImages', () => {
  const base = {
    testKeys: keys,
    testPredictions: [0, 1, 1, 0],
    test: {
      confusion: [
        [1, 1],
        [1, 1],
      ],
    },
  };

  it('puts each test image in the cell of its key label and prediction', () => {
    expect(groupTestImages(parseReport(base), ['cat', 'dog']).cells).toEqual([
      [[0], [1]],
      [[3], [2]],
    ]);
    // recorded true labels win over the key
    const withLabels = parseReport({
      ...base,
      testLabels: [1, 1, 1, 1],
      test: {
        confusion: [
          [0, 0],
          [2, 2],
        ],
      },
    });
    expect(groupTestImages(withLabels, ['cat', 'dog']).cells).toEqual([
      [[], []],
      [
        [0, 3],
        [1, 2],
      ],
    ]);
  });

  it('refuses to show cells that would not match the confusion matrix', () => {
    const wrong = (patch: object) =>
      groupTestImages(parseReport({ ...base, ...patch }), ['cat', 'dog']).problem;
    expect(wrong({ testPredictions: [0, 1] })).toMatch(/4 test keys but 2 predictions/);
    expect(
      wrong({
        test: {
          confusion: [
            [2, 0],
            [1, 1],
          ],
        },
      }),
    ).toMatch(/do not add up/);
    expect(wrong({ testKeys: [...keys.slice(0, 3), 'datasets/d/test/bird/5.png'] })).toMatch(/no known true/);
    expect(wrong({ testPredictions: [0, 1, 1, 2] })).toMatch(/no known true or predicted/);
    expect(wrong({ testPredictions: undefined })).toMatch(/not recorded/);
  });
});

describe('charts', () => {
  it('ticks are round and cover the range', () => {
    expect(ticks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0, 3.7, 5)).toEqual([0, 1, 2, 3]);
    expect(ticks(0.2, 0.31, 5)).toEqual([0.2, 0.25, 0.3]);
    expect(ticks(2, 2)).toEqual([2]);
  });

  it('escape every label that reaches the SVG or the table', () => {
    const evil = '<script>alert(1)</script>';
    const svg = lineChart({
      id: 'x"><script>',
      title: evil,
      yLabel: evil,
      series: [{ name: evil, values: [1, undefined, 0.5], color: '#000000' }],
      markEpoch: 0,
    });
    expect(svg).not.toContain('<script>');
    expect(svg.match(/<path d="M[^"]*"/)?.[0]).toBe('<path d="M56.0 46.0M504.0 141.0"'); // gap at epoch 2
    const rel = reliabilityDiagram({
      id: 'r',
      title: evil,
      bins: [{ lower: 0.9, upper: 1, count: 2, confidence: 0.95, accuracy: 0.5 }],
      ece: 0.45,
      color: '#000000',
    });
    expect(rel).not.toContain('<script>');
    expect(rel).toContain('ECE 0.450');
    expect(rel.match(/class="bin"/g)).toHaveLength(1);
    const table = confusionTable(
      [
        [1, 0],
        [2, 3],
      ],
      [evil, 'ok'],
      true,
    );
    expect(table).not.toContain('<script>');
    expect(table.match(/<button /g)).toHaveLength(4);
    expect(table).toContain(
      'aria-label="2 test images of ok predicted as &lt;script&gt;alert(1)&lt;/script&gt;"',
    );
  });
});

describe('the race, the validation check and the promotion in the report', () => {
  const report = parseReport({
    decision: { strategy: 'freeze-k', explanation: 'Scenario 2 … Checked 3 candidates …' },
    backbone: 'mobilenet_v2',
    candidates: [
      {
        name: 'pooled head at block_13_expand_relu',
        advised: true,
        chosen: true,
        valAccuracy: 0.78,
        seconds: 1.8,
      },
      { name: 'feature extraction <b>', advised: false, chosen: false, valAccuracy: 0.63, seconds: 2.1 },
      {
        name: 'retrain the layers above block_16_project_BN',
        advised: false,
        chosen: false,
        skipped: 'over budget',
      },
      { name: 42 },
    ],
    validation: { images: 150, accuracy: 0.78, chance: 0.1, threshold: 0.149, judged: true },
    promoted: false,
    promotion: {
      reason: 'not_better',
      message: 'published but not promoted: 0.780 < 0.810',
      serving: { version: 2 },
    },
  });

  it('parses each candidate and drops a malformed list whole', () => {
    expect(report.candidates).toBeUndefined();
    const ok = parseReport({ candidates: [{ name: 'a', chosen: true, valAccuracy: 0.5 }] });
    expect(ok.candidates).toEqual([{ name: 'a', advised: false, chosen: true, valAccuracy: 0.5 }]);
    expect(report.promotion).toMatchObject({ reason: 'not_better', servingVersion: 2 });
    expect(report.validation?.threshold).toBe(0.149);
  });

  it('renders the race table with the winner marked, escaped names, skipped candidates and why it does not serve', () => {
    const html = decisionSection({
      ...report,
      candidates: parseReport({
        candidates: [
          {
            name: 'pooled head at block_13_expand_relu',
            advised: true,
            chosen: true,
            valAccuracy: 0.78,
            seconds: 1.8,
          },
          { name: 'feature extraction <b>', chosen: false, valAccuracy: 0.63, seconds: 2.1 },
          { name: 'retrain', chosen: false, skipped: 'over the budget of 0 s' },
        ],
      }).candidates,
    });
    expect(html).toContain('<table class="race">');
    expect(html).toMatch(
      /<tr class="chosen"><td>✔ pooled head at block_13_expand_relu <em>\(advised\)<\/em><\/td><td>0\.780<\/td>/,
    );
    expect(html).toContain('feature extraction &lt;b&gt;');
    expect(html).toContain('not run: over the budget of 0 s');
    expect(html).toContain('0.780 on 150 images, chance 0.100 (needed &gt; 0.149)'.replace('&gt;', '>'));
    expect(html).toContain('<dt>not serving</dt><dd>published but not promoted: 0.780 &lt; 0.810</dd>');
    const developed = decisionSection(
      parseReport({
        backbone: 'digits-cnn',
        backboneProvenance: { kind: 'developed', model: 'digits-src', version: 2, dataset: 'digits<0-4>' },
      }),
    );
    expect(developed).toContain(
      '<code>digits-cnn</code> — developed by Graft: model digits-src v2 on data set digits&lt;0-4&gt;',
    );
  });
});
