import { ZoneClock, isoWithOffset } from '../../parsers/time';
import type { CorrelationResult } from '../correlate/correlator';
import { Checks } from '../checks/run-checks';
import type { Plan, PlannedFiles } from './plan';
import type { ReadResult } from './read';

// Step 3 of reconstruct: correlate. The correlator joins the evidence it holds into one record
// per order; the checks see every order as it is built (relations, sequence, the bill, the
// backup), then look at the run as a whole (coverage, balances, clocks) and say which flags each
// record gets. Nothing is written here: the records wait in the correlator's spool.

export interface Correlated {
  correlation: CorrelationResult;
  checked: ReturnType<Checks['finish']>;
}

export function correlate(plan: Plan, planned: PlannedFiles, read: ReadResult): Correlated {
  const { args, baseline } = plan;
  const checks = new Checks({ statements: read.statements.spans, ...(baseline ? { baseline } : {}) });
  planned.progress.stage('joining evidence into orders and running the checks… / 正在关联证据并核查…');
  const correlation = read.correlator.finish(checks.visit);
  const zone = new ZoneClock(args.tz);
  const checked = checks.finish(read.reports, correlation, (ms) => isoWithOffset(ms, zone.offsetAt(ms)));
  return { correlation, checked };
}
