import type { RestoreScriptSummary } from '../sinks/sql/restore-writer';

// export-report.json: what one export did, written beside the exported file (owner-only). The
// run's own report.json is evidence of the run and stays as the run wrote it; an export that
// reveals card keys is recorded here, in the SQL header, and in the summary line.

export interface ExportReport {
  tool: { name: 'salvage'; command: 'export' };
  generated_at: string;
  from: string;
  format: string;
  out: string;
  filters: { min_confidence: number | null; status: string[] | null };
  records_read: number;
  records_filtered_out: number;
  records_not_readable: { count: number; first: { where: string; reason: string }[] };
  rows_written: number;
  card_keys: 'masked' | 'revealed';
  card_keys_revealed: number;
  sql?: RestoreScriptSummary;
  mode: '0600';
}

/** `orders.sql` → `orders.sql.export-report.json`: one report per exported file, never shared. */
export function exportReportPath(out: string): string {
  return out + '.export-report.json';
}
