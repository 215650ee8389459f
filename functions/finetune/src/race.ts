import type { Backbone, TrainResult } from '@graft/core';
import type { RaceEntry } from '@graft/jobs';
import type { Candidate } from './candidates.js';
import type { CrossValidated } from './cross-validate.js';
import type { Decision } from './decide.js';
import { JobError } from './errors.js';
import type { PreparedInputs } from './prepared.js';

/** A trained contender: what it trained on, the result, and how it did on the validation split. */
export interface Trained {
  decision: Decision;
  /** The backbone it was built on (a fresh copy for candidates that retrain pretrained layers in place). */
  backbone: Backbone;
  prepared: PreparedInputs;
  result: TrainResult;
  valAccuracy: number;
  seconds: number;
}

/** What a candidate's training gave: a trained contender, or why it did not run. */
export type Attempt = ({ trained: Trained } | { skipped: string }) & {
  estimatedSeconds?: number;
  crossValidation?: CrossValidated;
};

/**
 * Trains every candidate in order and keeps the one with the highest validation accuracy (a tie goes to the
 * advisor's pick, then to the cheaper, earlier candidate). The losers' inputs are freed as soon as they lose; their
 * weights stay with the caller's weight scope (they may share layers with the backbone).
 *
 * @example
 * ```ts
 * const { winner, entries } = await runRace({ candidates, attempt: (c, i) => trainCandidate(c, i) });
 * ```
 */
export async function runRace(args: {
  candidates: Candidate[];
  attempt: (candidate: Candidate, index: number) => Promise<Attempt>;
}): Promise<{ winner: Trained; winnerCandidate: Candidate; entries: RaceEntry[] }> {
  const entries: RaceEntry[] = [];
  let best: { trained: Trained; candidate: Candidate; entry: RaceEntry } | undefined;
  try {
    for (const [index, candidate] of args.candidates.entries()) {
      const base = {
        name: candidate.name,
        strategy: candidate.decision.strategy,
        ...(cutOf(candidate.decision) ? { cut: cutOf(candidate.decision) } : {}),
        ...(candidate.decision.upper ? { upper: candidate.decision.upper } : {}),
        ...(candidate.decision.grid ? { grid: candidate.decision.grid } : {}),
        advised: candidate.advised,
        chosen: false,
      };
      const attempt = await args.attempt(candidate, index);
      // What the attempt adds to its entry beside its result: its estimate and its cross-validation.
      const extras = {
        ...(attempt.estimatedSeconds === undefined
          ? {}
          : { estimatedSeconds: round(attempt.estimatedSeconds, 1) }),
        ...(attempt.crossValidation
          ? {
              crossValidation: {
                ...attempt.crossValidation,
                accuracy: round(attempt.crossValidation.accuracy),
                sd: round(attempt.crossValidation.sd),
              },
            }
          : {}),
      };
      if ('skipped' in attempt) {
        entries.push({ ...base, ...extras, skipped: attempt.skipped });
        continue;
      }
      const { trained } = attempt;
      const entry: RaceEntry = {
        ...base,
        ...(Number.isNaN(trained.valAccuracy) ? {} : { valAccuracy: round(trained.valAccuracy) }),
        seconds: round(trained.seconds, 2),
        ...extras,
      };
      entries.push(entry);
      if (!best || beats(trained, candidate, best)) {
        best?.trained.prepared.dispose();
        best = { trained, candidate, entry };
      } else {
        trained.prepared.dispose();
      }
    }
  } catch (error) {
    best?.trained.prepared.dispose();
    throw error;
  }
  if (!best)
    throw new JobError(
      'no_candidate',
      `no candidate could be trained: ${entries.map((e) => `${e.name}: ${e.skipped}`).join('; ')} (raise options.budgetSeconds)`,
    );
  best.entry.chosen = true;
  const ranked = [...entries].sort(
    (a, b) =>
      Number(b.chosen) - Number(a.chosen) ||
      (b.valAccuracy ?? -1) - (a.valAccuracy ?? -1) ||
      (b.crossValidation?.accuracy ?? -1) - (a.crossValidation?.accuracy ?? -1),
  );
  return { winner: best.trained, winnerCandidate: best.candidate, entries: ranked };
}

function beats(
  trained: Trained,
  candidate: Candidate,
  best: { trained: Trained; candidate: Candidate },
): boolean {
  const a = trained.valAccuracy;
  const b = best.trained.valAccuracy;
  if (Number.isNaN(a) && Number.isNaN(b)) return candidate.advised && !best.candidate.advised;
  if (Number.isNaN(b)) return !Number.isNaN(a);
  if (a !== b) return a > b;
  return candidate.advised && !best.candidate.advised;
}

function cutOf(decision: Decision): string | undefined {
  if (decision.strategy === 'feature-extraction') return decision.cut ?? 'features';
  if (decision.strategy === 'freeze-k') return decision.cut ?? decision.advice?.cut ?? undefined;
  return undefined;
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * The race in words, for the explanation: the cheap candidates' cross-validation when there was one, each
 * candidate's validation accuracy and time, and why the winner won.
 *
 * @example
 * ```ts
 * raceExplanation(entries, 150);
 * // 'Checked 5 candidates on the validation split (150 images): pooled head at block_13_expand_relu 0.780 (1.8 s), … Chose …'
 * ```
 */
export function raceExplanation(entries: RaceEntry[], images: number): string {
  const name = (e: RaceEntry) => `${e.name}${e.advised ? ' (advised)' : ''}`;
  const validated = entries.filter((e) => e.crossValidation);
  const onlyValidated = (e: RaceEntry) => e.crossValidation && e.valAccuracy === undefined;
  const crossValidation = validated[0]?.crossValidation;
  const cvSentence = crossValidation
    ? `The validation split (${images} images) is too small to rank the cheap candidates on, so they were cross-validated over ${crossValidation.folds} folds of the ${crossValidation.images} training and validation images: ${[
        ...validated,
      ]
        .sort((a, b) => b.crossValidation!.accuracy - a.crossValidation!.accuracy)
        .map(
          (e) => `${name(e)} ${e.crossValidation!.accuracy.toFixed(3)} ± ${e.crossValidation!.sd.toFixed(3)}`,
        )
        .join('; ')}; the best went on. `
    : '';
  const raced = entries.filter((e) => !onlyValidated(e));
  const ran = raced.filter((e) => e.valAccuracy !== undefined);
  const list = raced
    .map((e) =>
      e.valAccuracy !== undefined
        ? `${name(e)} ${e.valAccuracy.toFixed(3)} (${e.seconds?.toFixed(1)} s)`
        : `${name(e)} not run: ${e.skipped}`,
    )
    .join('; ');
  const winner = entries.find((e) => e.chosen)!;
  const advised = entries.find((e) => e.advised);
  const lead = (a: number, b: number) => (a - b).toFixed(3);
  const why =
    winner.advised || !advised
      ? `the advisor's pick scored highest on the validation split`
      : advised.valAccuracy !== undefined
        ? `the highest validation accuracy, ${lead(winner.valAccuracy!, advised.valAccuracy)} above the advisor's pick`
        : advised.crossValidation && winner.crossValidation
          ? `the highest cross-validated accuracy, ${lead(winner.crossValidation.accuracy, advised.crossValidation.accuracy)} above the advisor's pick`
          : advised.crossValidation
            ? `the highest validation accuracy (the advisor's pick lost the cross-validation)`
            : `the highest validation accuracy (the advisor's pick did not run)`;
  return `${cvSentence}Checked ${ran.length} candidate${ran.length === 1 ? '' : 's'} on the validation split (${images} images): ${list}. Chose ${winner.name}: ${why}.`;
}
