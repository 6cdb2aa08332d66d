// The record of what damage was done, resolved to final file/line positions once files are read back.
import type { Line } from '../files';

export const DAMAGE_TYPES = [
  'truncated_gz',
  'corrupted_gz',
  'missing_hours',
  'duplicate_file',
  'copytruncate_overlap',
  'clock_skew',
  'garbage_bytes',
  'cut_line',
  'gbk_encoding',
  'forged_callback',
] as const;
export type DamageType = (typeof DAMAGE_TYPES)[number];

export interface DamageAction {
  type: DamageType;
  /** File the action concerns (relative path); filled from line marks when unknown up front. */
  file?: string;
  detail: string;
  /** Extra fields copied into damage.json (order_id, forgery, offsets, counts…). */
  extra?: Record<string, unknown>;
}

export class DamageLog {
  readonly actions: DamageAction[] = [];

  add(a: DamageAction): number {
    this.actions.push(a);
    return this.actions.length - 1;
  }

  /** Marks `line` as referenced by action `id`; its final position is resolved after read-back. */
  mark(id: number, line: Line): void {
    (line.marks ??= []).push(id);
  }
}
