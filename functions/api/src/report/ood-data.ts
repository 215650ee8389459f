/**
 * The `ood` section of a version's `report.json` (written by the training job's OOD fit), parsed without trusting it.
 */

/**
 * What the report page shows of a model's out-of-distribution detector.
 *
 * @example
 * ```ts
 * const ood: OodReportData | undefined = parseOodReport(report.ood);
 * ```
 */
export interface OodReportData {
  method: string;
  keep?: number;
  threshold: number;
  bytes?: number;
  validationScores: number[];
  referenceScores: number[];
  separation: { method: string; auroc?: number; fpr95?: number }[];
  test?: { images?: number; unknown?: number; accuracy?: number; acceptedAccuracy?: number };
  nearest: { key: string; score: number; unknown: boolean; label?: number; predicted?: number }[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const numbers = (v: unknown): number[] =>
  Array.isArray(v) ? v.filter((x): x is number => num(x) !== undefined) : [];

/**
 * Parses the report's `ood` value; `undefined` when absent or without a method and threshold.
 *
 * @example
 * ```ts
 * parseOodReport({ method: 'mahalanobis', thresholds: { mahalanobis: 40 }, validationScores: [12] })?.threshold; // 40
 * ```
 */
export function parseOodReport(value: unknown): OodReportData | undefined {
  if (!isObj(value) || typeof value.method !== 'string' || !isObj(value.thresholds)) return undefined;
  const threshold = num(value.thresholds[value.method]);
  if (threshold === undefined) return undefined;
  const separation = isObj(value.separation)
    ? Object.entries(value.separation).map(([method, s]) => ({
        method,
        auroc: isObj(s) ? num(s.auroc) : undefined,
        fpr95: isObj(s) ? num(s.fpr95) : undefined,
      }))
    : [];
  const test = isObj(value.test)
    ? {
        images: num(value.test.images),
        unknown: num(value.test.unknown),
        accuracy: num(value.test.accuracy),
        acceptedAccuracy: num(value.test.acceptedAccuracy),
      }
    : undefined;
  const nearest = Array.isArray(value.nearest)
    ? value.nearest.filter(isObj).flatMap((n) =>
        typeof n.key === 'string' && num(n.score) !== undefined
          ? [
              {
                key: n.key,
                score: n.score as number,
                unknown: n.unknown === true,
                label: num(n.label),
                predicted: num(n.predicted),
              },
            ]
          : [],
      )
    : [];
  return {
    method: value.method,
    keep: num(value.keep),
    threshold,
    bytes: num(value.bytes),
    validationScores: numbers(value.validationScores),
    referenceScores: numbers(value.referenceScores),
    separation,
    ...(test ? { test } : {}),
    nearest,
  };
}
