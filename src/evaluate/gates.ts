import { GATE_PRECISION_AT } from './metrics';
import type { EvaluationReport, GateResult } from './types';

export interface GateOptions {
  /** Required recall over recoverable paid orders, in [0,1]. */
  minRecall?: number;
  /** Required precision of paid claims at confidence >= 0.9, in [0,1]. */
  minPrecision?: number;
}

/**
 * Check the requested quality gates. A gate whose metric is undefined (nothing to measure: no
 * recoverable paid orders, or no claims at >= 0.9) passes, with a note saying so.
 */
export function checkGates(report: EvaluationReport, opts: GateOptions): GateResult[] {
  const out: GateResult[] = [];
  if (opts.minRecall !== undefined) {
    const actual = report.recall.paid_recoverable.value;
    out.push({
      gate: 'min-recall',
      metric: 'recall over recoverable paid orders',
      required: opts.minRecall,
      actual,
      passed: actual === null || actual >= opts.minRecall,
      note: actual === null ? 'the truth has no recoverable paid orders: nothing to recall' : null,
    });
  }
  if (opts.minPrecision !== undefined) {
    const row = report.thresholds.find((t) => t.min_confidence === GATE_PRECISION_AT);
    const actual = row?.precision ?? null;
    out.push({
      gate: 'min-precision',
      metric: `precision of paid claims at confidence >= ${GATE_PRECISION_AT}`,
      required: opts.minPrecision,
      actual,
      passed: actual === null || actual >= opts.minPrecision,
      note: actual === null ? `no record claims paid at confidence >= ${GATE_PRECISION_AT}: nothing to be wrong about` : null,
    });
  }
  return out;
}
