// Glue for `salvage evaluate`: read truth and recovery, score, check gates, shape the JSON output.

import { checkGates, type GateOptions } from './gates';
import { computeReport } from './metrics';
import { readRecovered } from './read-recovered';
import { readTruth } from './read-truth';
import type { EvaluationReport, GateResult, MetaScalar, TruthSet } from './types';

export interface EvaluationResult {
  truthDir: string;
  recoveredFile: string;
  truth: TruthSet;
  report: EvaluationReport;
  gates: GateResult[];
  passed: boolean;
}

/** Read both inputs (as streams) and score. Throws EvaluateInputError on bad input. */
export async function evaluateFiles(truthDir: string, recoveredFile: string, gateOpts: GateOptions): Promise<EvaluationResult> {
  const truth = await readTruth(truthDir);
  const records = await readRecovered(recoveredFile);
  const report = computeReport(truth.orders, records, truth.forged, truth.dbRows);
  const gates = checkGates(report, gateOpts);
  return { truthDir, recoveredFile, truth, report, gates, passed: gates.every((g) => g.passed) };
}

/** The `--json` document: inputs, every figure and list of the report, the gates. */
export interface EvaluationJson extends EvaluationReport {
  inputs: {
    truth: string;
    recovered: string;
    profile: string | null;
    meta: Record<string, MetaScalar> | null;
  };
  warnings: string[];
  gates: GateResult[];
  passed: boolean;
}

export function toJson(r: EvaluationResult): EvaluationJson {
  return {
    inputs: { truth: r.truthDir, recovered: r.recoveredFile, profile: r.truth.profile, meta: r.truth.meta },
    warnings: r.truth.warnings,
    ...r.report,
    gates: r.gates,
    passed: r.passed,
  };
}
