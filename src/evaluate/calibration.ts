import type { CalibrationBin } from './types';

/** Confidence bins of the calibration table; the last one includes 1. */
export const CALIBRATION_BINS: readonly { lo: number; hi: number; hi_inclusive: boolean }[] = [
  { lo: 0, hi: 0.5, hi_inclusive: false },
  { lo: 0.5, hi: 0.8, hi_inclusive: false },
  { lo: 0.8, hi: 0.9, hi_inclusive: false },
  { lo: 0.9, hi: 0.99, hi_inclusive: false },
  { lo: 0.99, hi: 1, hi_inclusive: true },
];

export function binLabel(b: { lo: number; hi: number; hi_inclusive: boolean }): string {
  return `[${b.lo},${b.hi}${b.hi_inclusive ? ']' : ')'}`;
}

/** Index of the bin a confidence in [0,1] falls in. */
export function binIndex(confidence: number): number {
  for (let i = 0; i < CALIBRATION_BINS.length; i++) {
    const b = CALIBRATION_BINS[i]!;
    if (confidence >= b.lo && (confidence < b.hi || (b.hi_inclusive && confidence <= b.hi))) return i;
  }
  throw new RangeError(`confidence out of [0,1]: ${confidence}`);
}

/** Sum in ascending order, so that the result does not depend on the order of the input. */
function stableSum(xs: number[]): number {
  return [...xs].sort((a, b) => a - b).reduce((s, x) => s + x, 0);
}

/**
 * Calibration table over claims (records claiming paid): per bin, how many claims, their mean
 * confidence, and the observed fraction that were correct. Well calibrated ⇔ mean ≈ fraction.
 */
export function calibrate(claims: readonly { confidence: number; correct: boolean }[]): CalibrationBin[] {
  const conf: number[][] = CALIBRATION_BINS.map(() => []);
  const correct = CALIBRATION_BINS.map(() => 0);
  for (const c of claims) {
    const i = binIndex(c.confidence);
    conf[i]!.push(c.confidence);
    if (c.correct) correct[i]!++;
  }
  return CALIBRATION_BINS.map((b, i) => {
    const n = conf[i]!.length;
    return {
      label: binLabel(b),
      lo: b.lo,
      hi: b.hi,
      hi_inclusive: b.hi_inclusive,
      claims: n,
      mean_confidence: n === 0 ? null : stableSum(conf[i]!) / n,
      correct: correct[i]!,
      fraction_correct: n === 0 ? null : correct[i]! / n,
    };
  });
}
