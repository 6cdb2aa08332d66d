// From sorted events to log files: rotation, names, and the line model that damage and truth work on.
import { StoredLine, type SimEvent } from './events';
import { localDayIndex, localDayStartMs, ymd } from './time';
import type { World } from './world';

/** One physical line of an output file. `text` is a Buffer only for binary junk. */
export interface Line {
  text: string | Buffer;
  /** Order index whose payment this line shows. */
  pay?: number;
  /** Forged-callback record index. */
  forged?: number;
  /** Set when damage altered the line (cut short): it no longer proves a payment. */
  damaged?: boolean;
  /** Damage actions that reference this line. */
  marks?: number[];
  /** `--vocabulary` runs: the order this operator line is about and the buyer fields it carries. */
  about?: number;
  logged?: number;
  /** First line of a multi-line entry that is evidence: how many physical lines the entry has. */
  parts?: number;
  /** A later line of such an entry: its first line. The entry proves something only if every part survived. */
  head?: Line;
}

export interface OutFile {
  /** Path relative to the output directory, with `/` separators. */
  path: string;
  sink: string;
  /** Local day index of the content (host clock), for rotated nginx files and daily app logs. */
  day?: number;
  encoding: 'utf8' | 'gbk';
  gzip: boolean;
  lines: Line[];
  /** Serialized (and possibly damaged) bytes, filled by the writer stage; absent once written to disk. */
  bytes?: Buffer;
  /** Length of the serialized (and possibly damaged) bytes. */
  size?: number;
  /** Bytes before byte-level damage (what a duplicate copies if it copies the intact file). */
  intactBytes?: Buffer;
  /** True when bytes were damaged after serialization, so lines must be re-derived by reading them back. */
  byteDamaged?: boolean;
  /** For duplicate files: the path of the file whose line model this one shares. */
  copyOf?: string;
  /** Compressed offset of corruption (corrupted .gz), where a decoder first sees bad data. */
  corruptAt?: number;
}

export const SITE_LOG = 'shop.example';

/** BT panel names: `{site}.log` for the live file, `history_backups/{site}/{site}_access_{Y-m-d}_{His}.log.gz` for rotated ones.
 *  The panel's cutter runs just after midnight and names the file by its run time, so a day's lines are in the
 *  file dated the following day, `_000001`. */
export function nginxFileName(host: string, contentDay: number | null): string {
  if (contentDay === null) return `logs/nginx/${host}/${SITE_LOG}.log`;
  return `logs/nginx/${host}/history_backups/${SITE_LOG}/${SITE_LOG}_access_${ymd(localDayStartMs(contentDay + 1))}_000001.log.gz`;
}

function flatten(events: readonly SimEvent[]): Line[] {
  const out: Line[] = [];
  for (const ev of events) {
    if (ev.lineCount === 1) {
      // a single-line event is its own line object (saves a million allocations on big runs)
      out.push(ev);
    } else {
      const head = new StoredLine(ev.store, ev.ref);
      if (ev.pay !== undefined) head.pay = ev.pay;
      if (ev.forged !== undefined) head.forged = ev.forged;
      if (ev.marks) head.marks = ev.marks;
      if (ev.about !== undefined) {
        head.about = ev.about;
        if (ev.logged !== undefined) head.logged = ev.logged;
      }
      // a dump spread over lines (--vocabulary): its evidence is in the later lines too
      const evidence = ev.pay !== undefined || ev.forged !== undefined || ev.about !== undefined;
      if (evidence) head.parts = ev.lineCount;
      out.push(head);
      for (let i = 1; i < ev.lineCount; i++) {
        const l = new StoredLine(ev.store, ev.ref + i);
        if (evidence) l.head = head;
        out.push(l);
      }
    }
  }
  return out;
}

/** Groups each sink's events into files. Nginx hosts rotate daily by their own clock; the last day stays plain. */
export function assembleFiles(w: World, dailyAppLog: boolean): OutFile[] {
  const files: OutFile[] = [];
  const sinks = [...w.bus.sinks.keys()].sort();
  for (const sink of sinks) {
    const events = w.bus.sinks.get(sink)!;
    if (sink.startsWith('nginx/')) {
      const host = sink.slice('nginx/'.length);
      const hi = w.hosts.indexOf(host);
      const skew = w.hostSkewMs[hi] ?? 0;
      const lastDay = localDayIndex(w.endMs - 1 + skew);
      const byDay = new Map<number, SimEvent[]>();
      for (const ev of events) {
        const d = localDayIndex(ev.ts + skew);
        let l = byDay.get(d);
        if (!l) byDay.set(d, (l = []));
        l.push(ev);
      }
      const firstDay = localDayIndex(w.startMs + skew);
      for (let d = firstDay; d <= lastDay; d++) {
        const evs = byDay.get(d) ?? [];
        const current = d === lastDay;
        files.push({ path: nginxFileName(host, current ? null : d), sink, day: d, encoding: 'utf8', gzip: !current, lines: flatten(evs) });
      }
    } else if (sink === 'app/laravel' && dailyAppLog) {
      const byDay = new Map<number, SimEvent[]>();
      for (const ev of events) {
        const d = localDayIndex(ev.ts);
        let l = byDay.get(d);
        if (!l) byDay.set(d, (l = []));
        l.push(ev);
      }
      for (const d of [...byDay.keys()].sort((a, b) => a - b)) {
        files.push({ path: `logs/app/laravel-${ymd(localDayStartMs(d))}.log`, sink, day: d, encoding: 'utf8', gzip: false, lines: flatten(byDay.get(d)!) });
      }
    } else if (sink === 'app/laravel') {
      files.push({ path: 'logs/app/laravel.log', sink, encoding: 'utf8', gzip: false, lines: flatten(events) });
    } else {
      files.push({ path: `logs/${sink}`, sink, encoding: 'utf8', gzip: false, lines: flatten(events) });
    }
  }
  return files;
}
