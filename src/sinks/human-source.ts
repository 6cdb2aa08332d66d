import { basename } from 'node:path';
import type { FileReport } from '../model/types';
import { sourceFolder, sourceId } from '../sources/source-id';

// The checks name a log as a source key (`nginx-combined@logs/nginx/web2`) and times as ISO
// instants in the run's zone; a person reads "web2 (shop.access.log)" and "14:00–15:30 on
// 10-04". Pure functions over the report.

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;

/** The files of a source, as the report lists them (copies left out: they were not read). */
function filesOf(source: string, inputs: readonly FileReport[]): FileReport[] {
  return inputs.filter((f) => f.copy_of === undefined && f.format !== null && sourceId(f.format, f.file) === source);
}

/** The folder a source is named by: its last part (`web2`), or the whole key when it has none. */
function folderName(source: string): string {
  const at = source.indexOf('@');
  const folder = at < 0 ? source : source.slice(at + 1);
  return basename(folder) || folder || source;
}

/**
 * "web2 (shop.access.log)": the source's folder and one of its files — the one whose lines reach
 * `atIso` when given (the file a hole is in), else the live log (not in a rotation folder).
 */
export function sourceLabel(source: string, inputs: readonly FileReport[], atIso?: string): string {
  const files = filesOf(source, inputs);
  if (files.length === 0) return folderName(source);
  let pick: FileReport | undefined;
  if (atIso !== undefined) {
    const at = Date.parse(atIso);
    pick = files.find((f) => f.first_ts !== null && f.last_ts !== null && Date.parse(f.first_ts) <= at && at <= Date.parse(f.last_ts));
  }
  // The live log sits in the source's own folder; rotations in a sub-folder of it.
  pick ??= files.find((f) => sourceFolder(f.file) === f.file.replace(/\\/g, '/').replace(/\/[^/]*$/, '')) ?? files[0]!;
  const more = files.length > 1 && atIso === undefined ? `, ${files.length} files 个文件` : '';
  return `${folderName(source)} (${basename(pick.file)}${more})`;
}

/** "14:00–15:30 on 10-04", or "10-04 22:00 – 10-05 03:00" across midnight; times as written (the run's zone). */
export function timeRange(fromIso: string, toIso: string): { en: string; zh: string } {
  const a = ISO.exec(fromIso);
  const b = ISO.exec(toIso);
  if (!a || !b) return { en: `${fromIso} – ${toIso}`, zh: `${fromIso} 至 ${toIso}` };
  const day = (m: RegExpExecArray) => `${m[2]}-${m[3]}`;
  const time = (m: RegExpExecArray) => `${m[4]}:${m[5]}`;
  // An hole that ends at midnight ends at 24:00 of its day.
  const endsAtMidnight = time(b) === '00:00' && Date.parse(toIso) - Date.parse(fromIso) <= 86_400_000 && day(a) !== day(b);
  if (day(a) === day(b) || endsAtMidnight) {
    const end = endsAtMidnight ? '24:00' : time(b);
    return { en: `${time(a)}–${end} on ${day(a)}`, zh: `${day(a)} ${time(a)}–${end}` };
  }
  return { en: `${day(a)} ${time(a)} – ${day(b)} ${time(b)}`, zh: `${day(a)} ${time(a)} 至 ${day(b)} ${time(b)}` };
}

export interface HoleLike {
  source: string;
  from: string;
  to: string;
}

/** "web2 (shop.access.log): no lines 14:00–15:30 on 10-04 / 10-04 14:00–15:30 无记录". */
export function humanHole(g: HoleLike, inputs: readonly FileReport[]): string {
  const r = timeRange(g.from, g.to);
  return `${sourceLabel(g.source, inputs, g.from)}: no lines ${r.en} / ${r.zh} 无记录`;
}

export interface SkewLike {
  source: string;
  reference: string;
  median_offset_s: number;
  pairs: number;
  corrected: boolean;
  basis?: unknown;
}

/** "web1 (shop.example.log, 4 files) runs 98 s fast against app (laravel.log, 3 files), …". */
export function humanSkew(k: SkewLike, inputs: readonly FileReport[]): string {
  const s = Math.abs(k.median_offset_s);
  const fast = k.median_offset_s > 0;
  const how = k.basis !== undefined ? `${k.pairs} orders split across hosts 跨主机订单` : `${k.pairs} pairs 对`;
  // An estimate too many bounds disagree with is shown, but was not applied (src/correlate/host-skew.ts).
  const doubtful = typeof k.basis === 'string' && k.basis.includes('NOT applied');
  const en = k.corrected ? ', corrected before joining' : doubtful ? ', NOT corrected: the requests disagree too often to trust it' : '';
  const zh = k.corrected ? '，已校正' : doubtful ? '，约束相互矛盾，未校正' : '';
  return `${sourceLabel(k.source, inputs)} runs ${s} s ${fast ? 'fast' : 'slow'} against ${sourceLabel(k.reference, inputs)} (${how})${en} / 时钟${fast ? '快' : '慢'} ${s} 秒${zh}`;
}
