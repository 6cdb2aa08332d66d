// Damage: an hour (or more) of one source is gone, e.g. a disk-full spell or a lost log shard.
import type { EventBus } from '../events';
import { isoLocal } from '../time';
import type { DamageLog } from './log';

export function applyMissingHours(bus: EventBus, windows: readonly { sink: string; fromMs: number; toMs: number }[], log: DamageLog): void {
  for (const m of windows) {
    const list = bus.sinks.get(m.sink);
    if (!list) continue;
    const kept = [];
    let lines = 0;
    for (const ev of list) {
      if (ev.ts >= m.fromMs && ev.ts < m.toMs) lines += ev.lineCount;
      else kept.push(ev);
    }
    bus.sinks.set(m.sink, kept);
    const id = log.add({
      type: 'missing_hours',
      detail: `${lines} lines written by ${m.sink} between ${isoLocal(m.fromMs)} and ${isoLocal(m.toMs)} are missing; "lines" is the first line after the gap`,
      extra: { sink: m.sink, from: isoLocal(m.fromMs), to: isoLocal(m.toMs), removed_lines: lines },
    });
    const after = kept.find((ev) => ev.ts >= m.toMs);
    if (after) (after.marks ??= []).push(id);
  }
}
