import type { Evidence, EvidenceFields } from '../../src/model/types';

/** A builder of hand-made evidence for tests: each item gets its own line and fingerprint. */
export function evidenceFactory(file = 'f.log') {
  let n = 0;
  return (kind: Evidence['kind'], ts: string, fields: EvidenceFields, extra: Partial<Evidence> = {}): Evidence => {
    n++;
    return {
      kind,
      rule: `test.${kind}`,
      weight: 0.5,
      format: extra.format ?? 'nginx-combined',
      ts,
      tsMs: Date.parse(ts),
      source: { file, line: n, lineEnd: n, offset: n * 100 },
      fields,
      fingerprint: `fp${n}`,
      ...extra,
    };
  };
}

/** One row of a simulated shop's truth/recoverable.ndjson (the fields tests read). */
export interface TruthOrder {
  order_id: string;
  status: string;
  paid: boolean;
  amount: number;
  channel: string;
  paid_at: string | null;
  trade_no: string | null;
  recoverable: boolean;
}
