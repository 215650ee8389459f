/**
 * The shape of a version's `report.json` as the report page reads it, and a tolerant parser: every field may be
 * missing (older versions) or malformed, and then it is `undefined` and the page says "not recorded".
 */
import { type OodReportData, parseOodReport } from './ood-data.js';

/** Metrics of one epoch. */
export interface EpochPoint {
  loss?: number;
  acc?: number;
  valLoss?: number;
  valAcc?: number;
}

/** Precision, recall, F1 and support of one class. */
export interface ClassRow {
  label: string;
  precision?: number;
  recall?: number;
  f1?: number;
  support?: number;
}

/** One reliability bin: mean confidence and accuracy of the test images whose top score is in (lower, upper]. */
export interface Bin {
  lower: number;
  upper: number;
  count: number;
  confidence: number;
  accuracy: number;
}

/** An evaluation on the test split (all fields optional). */
export interface Evaluation {
  accuracy?: number;
  macroF1?: number;
  perClass?: ClassRow[];
  /** `confusion[true][predicted]`. */
  confusion?: number[][];
  ece?: number;
  reliability?: Bin[];
  nll?: number;
  count?: number;
}

/** An upload the job could not use. */
export interface Rejected {
  key: string;
  code: string;
  message: string;
}

/** The advisor's choice. */
export interface Decision {
  strategy?: string;
  scenario?: number;
  explanation?: string;
  /** The cut the job trained above (`'features'` for feature extraction). */
  cut?: string;
  advice?: { size?: string; similarity?: string; cut?: string | null; k?: number; explanation?: string };
}

/**
 * A parsed `report.json`; `undefined` means "not recorded".
 *
 * @example
 * ```ts
 * const data: ReportData = parseReport(JSON.parse(text));
 * data.test?.accuracy;
 * ```
 */
export interface ReportData {
  dataset?: string;
  counts?: Record<string, Record<string, number>>;
  rejected?: Rejected[];
  rejectedCount?: number;
  decision?: Decision;
  history?: EpochPoint[];
  bestEpoch?: number;
  test?: Evaluation;
  testUncalibrated?: Evaluation;
  testKeys?: string[];
  testPredictions?: number[];
  /** True class index per test image, when the job recorded it (else derived from the keys). */
  testLabels?: number[];
  seconds?: number;
  /** The backbone the model was built on, and where it came from (`bundled`, `folder`, `url`, `developed`). */
  backbone?: string;
  backboneProvenance?: {
    kind?: string;
    model?: string;
    version?: number;
    dataset?: string;
    url?: string;
    path?: string;
  };
  /** `auto`'s race: every candidate and its validation accuracy. */
  candidates?: Candidate[];
  /** Validation accuracy against chance. */
  validation?: { images?: number; accuracy?: number; chance?: number; threshold?: number; judged?: boolean };
  promoted?: boolean;
  promotion?: { reason?: string; message?: string; servingVersion?: number; servingAccuracy?: number };
  /** The out-of-distribution detector's scores and threshold (versions trained before it have none). */
  ood?: OodReportData;
}

/** One candidate of `auto`'s race. */
export interface Candidate {
  name: string;
  advised: boolean;
  chosen: boolean;
  valAccuracy?: number;
  /** Cross-validated accuracy and its folds' standard deviation (cheap candidates on a small validation split). */
  cvAccuracy?: number;
  cvSd?: number;
  seconds?: number;
  estimatedSeconds?: number;
  skipped?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number | undefined => {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
};
function list<T>(v: unknown, item: (x: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: T[] = [];
  for (const x of v) {
    const parsed = item(x);
    if (parsed === undefined) return undefined;
    out.push(parsed);
  }
  return out;
}

function parseEvaluation(v: unknown): Evaluation | undefined {
  if (!isObj(v)) return undefined;
  const confusion = list(v.confusion, (row) =>
    list(row, (n) => (int(n) !== undefined && (n as number) >= 0 ? (n as number) : undefined)),
  );
  const square = confusion?.every((row) => row.length === confusion.length) ? confusion : undefined;
  return {
    accuracy: num(v.accuracy),
    macroF1: num(v.macroF1),
    perClass: list(v.perClass, (r) =>
      isObj(r) && str(r.label) !== undefined
        ? {
            label: r.label as string,
            precision: num(r.precision),
            recall: num(r.recall),
            f1: num(r.f1),
            support: int(r.support),
          }
        : undefined,
    ),
    confusion: square,
    ece: num(v.ece),
    reliability: list(v.reliability, (b) =>
      isObj(b) && [b.lower, b.upper, b.count, b.confidence, b.accuracy].every((x) => num(x) !== undefined)
        ? (b as unknown as Bin)
        : undefined,
    ),
    nll: num(v.nll),
    count: int(v.count),
  };
}

function parseCounts(v: unknown): Record<string, Record<string, number>> | undefined {
  if (!isObj(v)) return undefined;
  const out: Record<string, Record<string, number>> = {};
  for (const [split, perLabel] of Object.entries(v)) {
    if (!isObj(perLabel)) continue;
    out[split] = {};
    for (const [label, n] of Object.entries(perLabel))
      if (int(n) !== undefined) out[split][label] = n as number;
  }
  return out;
}

function parseDecision(v: unknown): Decision | undefined {
  if (!isObj(v)) return undefined;
  const a = isObj(v.advice) ? v.advice : undefined;
  return {
    strategy: str(v.strategy),
    scenario: int(v.scenario),
    explanation: str(v.explanation),
    cut: str(v.cut),
    advice: a && {
      size: str(a.size),
      similarity: str(a.similarity),
      cut: a.cut === null ? null : str(a.cut),
      k: int(a.k),
      explanation: str(a.explanation),
    },
  };
}

/**
 * Parses a `report.json` value without trusting it: wrong types become `undefined`, never an exception.
 *
 * @example
 * ```ts
 * parseReport({ bestEpoch: 3, history: 'oops' }); // { bestEpoch: 3, history: undefined, … }
 * ```
 */
export function parseReport(value: unknown): ReportData {
  if (!isObj(value)) return {};
  const rejected = list(value.rejected, (r) =>
    isObj(r)
      ? { key: String(r.key ?? ''), code: String(r.code ?? ''), message: String(r.message ?? '') }
      : undefined,
  );
  return {
    dataset: str(value.dataset),
    counts: parseCounts(value.counts),
    rejected,
    rejectedCount: rejected?.length ?? int(value.rejected),
    decision: parseDecision(value.decision),
    history: list(value.history, (e) =>
      isObj(e)
        ? { loss: num(e.loss), acc: num(e.acc), valLoss: num(e.valLoss), valAcc: num(e.valAcc) }
        : undefined,
    ),
    bestEpoch: int(value.bestEpoch),
    test: parseEvaluation(value.test),
    testUncalibrated: parseEvaluation(value.testUncalibrated),
    testKeys: list(value.testKeys, str),
    testPredictions: list(value.testPredictions, int),
    testLabels: list(value.testLabels, int),
    seconds: num(value.seconds),
    backbone: str(value.backbone),
    backboneProvenance: isObj(value.backboneProvenance)
      ? {
          kind: str(value.backboneProvenance.kind),
          model: str(value.backboneProvenance.model),
          version: int(value.backboneProvenance.version),
          dataset: str(value.backboneProvenance.dataset),
          url: str(value.backboneProvenance.url),
          path: str(value.backboneProvenance.path),
        }
      : undefined,
    candidates: list(value.candidates, (c) =>
      isObj(c) && str(c.name) !== undefined
        ? {
            name: c.name as string,
            advised: c.advised === true,
            chosen: c.chosen === true,
            valAccuracy: num(c.valAccuracy),
            cvAccuracy: isObj(c.crossValidation) ? num(c.crossValidation.accuracy) : undefined,
            cvSd: isObj(c.crossValidation) ? num(c.crossValidation.sd) : undefined,
            seconds: num(c.seconds),
            estimatedSeconds: num(c.estimatedSeconds),
            skipped: str(c.skipped),
          }
        : undefined,
    ),
    validation: isObj(value.validation)
      ? {
          images: int(value.validation.images),
          accuracy: num(value.validation.accuracy),
          chance: num(value.validation.chance),
          threshold: num(value.validation.threshold),
          judged: typeof value.validation.judged === 'boolean' ? value.validation.judged : undefined,
        }
      : undefined,
    promoted: typeof value.promoted === 'boolean' ? value.promoted : undefined,
    promotion: isObj(value.promotion)
      ? {
          reason: str(value.promotion.reason),
          message: str(value.promotion.message),
          servingVersion: isObj(value.promotion.serving) ? int(value.promotion.serving.version) : undefined,
          servingAccuracy: isObj(value.promotion.serving)
            ? num(value.promotion.serving.valAccuracy)
            : undefined,
        }
      : undefined,
    ood: parseOodReport(value.ood),
  };
}
