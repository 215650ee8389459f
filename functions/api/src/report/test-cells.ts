/**
 * Which test images fall into which confusion-matrix cell.
 */
import type { ReportData } from './report-data.js';

/**
 * Test image indexes per cell (`cells[true][predicted]`), or why they cannot be shown.
 *
 * @example
 * ```ts
 * const grouped: TestCells = { cells: [[[0, 2], [1]], [[], [3]]] };
 * ```
 */
export type TestCells = { cells: number[][][]; problem?: undefined } | { cells?: undefined; problem: string };

/** The label segment of an upload key: `datasets/<ds>/<split>/<label>/<file>` or `datasets/<ds>/<label>/<file>`. */
function labelOfKey(key: string): string | undefined {
  const parts = key.split('/');
  if (parts[0] !== 'datasets') return undefined;
  if (parts.length === 5) return parts[3];
  if (parts.length === 4) return parts[2];
  return undefined;
}

/**
 * Groups the test images by (true label, predicted label). The true label is `testLabels[i]` when the report
 * has it, else the label folder of `testKeys[i]`. The grouping must reproduce the stored confusion matrix
 * exactly; otherwise the cells are not clickable and `problem` says why.
 *
 * @example
 * ```ts
 * const { cells } = groupTestImages(report, ['cat', 'dog']);
 * cells?.[0]?.[1]; // indexes of the cats predicted as dogs
 * ```
 */
export function groupTestImages(report: ReportData, labels: string[]): TestCells {
  const { testKeys: keys, testPredictions: predicted, test } = report;
  if (!keys || !predicted) return { problem: 'the test images or their predictions were not recorded' };
  if (keys.length !== predicted.length)
    return { problem: `${keys.length} test keys but ${predicted.length} predictions were recorded` };
  const n = labels.length;
  const cells: number[][][] = Array.from({ length: n }, () => Array.from({ length: n }, () => []));
  for (let i = 0; i < keys.length; i++) {
    const truth = report.testLabels?.[i] ?? labels.indexOf(labelOfKey(keys[i] ?? '') ?? '');
    const guess = predicted[i] ?? -1;
    if (truth < 0 || truth >= n || guess < 0 || guess >= n)
      return { problem: `test image ${i} has no known true or predicted label` };
    cells[truth]?.[guess]?.push(i);
  }
  const confusion = test?.confusion;
  if (confusion) {
    const same =
      confusion.length === n && confusion.every((row, t) => row.every((c, p) => c === cells[t]?.[p]?.length));
    if (!same) return { problem: 'the recorded test images do not add up to the confusion matrix' };
  }
  return { cells };
}
