import type { FileReport } from './types';

/** A FileReport with nothing counted yet: every reader of an input starts from this. */
export function emptyFileReport(file: string): FileReport {
  return {
    file,
    bytes: 0,
    sha256: '',
    format: null,
    detect_confidence: 0,
    compressed: false,
    lines_total: 0,
    parsed: 0,
    rejected: 0,
    evidence_lines: 0,
    noise: 0,
    evidence_items: 0,
    collapsed_repeats: 0,
    damaged: false,
    errors: [],
    first_ts: null,
    last_ts: null,
    per_hour: {},
    by_rule: {},
  };
}
