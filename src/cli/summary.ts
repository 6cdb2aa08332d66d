import type { RunReport } from '../sinks/report';

// The few lines a person reads after a run: what was read, where every line went, what came
// out, and what needs attention — in English with Chinese beside it.

function n(x: number): string {
  return x.toLocaleString('en-US');
}

function mb(bytes: number): string {
  return (bytes / 1048576).toFixed(1) + ' MB';
}

export function formatSummary(r: RunReport, elapsedMs: number): string {
  const t = r.totals;
  const out: string[] = [];
  out.push(`salvage reconstruct — ${n(t.files)} file(s), ${mb(t.bytes)}, ${(elapsedMs / 1000).toFixed(1)} s / 读取文件 ${n(t.files)} 个`);
  out.push(
    `  lines 行数: ${n(t.lines_total)} = parsed 已解析 ${n(t.parsed)} (evidence 证据 ${n(t.evidence_lines)} + noise 噪声 ${n(t.noise)}) + rejected 拒绝 ${n(t.rejected)}` +
      (r.accounting.ok ? '  ✓ accounts add up 核对一致' : '  ✗ ACCOUNTING MISMATCH 核对不一致'),
  );
  const st = Object.entries(r.records.by_status).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${n(v)}`).join(', ');
  out.push(`  records 记录: ${n(r.records.total)}${st ? ` (${st})` : ''}`);
  const conf = r.records.by_confidence;
  out.push(`  confidence 置信度: ≥0.99 ${n(conf['>=0.99'] ?? 0)}, 0.9–0.99 ${n(conf['0.9-0.99'] ?? 0)}, 0.8–0.9 ${n(conf['0.8-0.9'] ?? 0)}, 0.5–0.8 ${n(conf['0.5-0.8'] ?? 0)}, <0.5 ${n(conf['<0.5'] ?? 0)}`);
  const flags = Object.entries(r.records.flagged);
  if (flags.length) out.push(`  flagged 需核查: ${flags.map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
  const ch = r.checks;
  const rel = Object.entries(ch.relations.counts);
  if (rel.length) out.push(`  checks 核查: ${rel.map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
  if (ch.coverage.gaps.length) out.push(`  evidence holes 证据缺口: ${ch.coverage.gaps.slice(0, 3).map((g) => `${g.source} ${g.from}…${g.to}`).join('; ')}${ch.coverage.gaps.length > 3 ? ` (+${ch.coverage.gaps.length - 3})` : ''}`);
  if (ch.sequence.missing_count > 0) out.push(`  sequence gaps 序号缺口: ${n(ch.sequence.missing_count)} ${ch.sequence.basis} value(s) left no evidence (report.json → checks.sequence)`);
  if (ch.balances.breaks.length) out.push(`  balance breaks 余额断链: ${n(ch.balances.breaks.length)} (missing events; see report.json → checks.balances)`);
  for (const k of ch.clocks.filter((c) => Math.abs(c.median_offset_s) >= 2)) out.push(`  clock skew 时钟偏差: ${k.source} is ${k.median_offset_s} s off ${k.reference} (${k.pairs} pairs)${k.corrected ? ", corrected before joining 已校正" : ""}`);
  if (r.unjoined.count) out.push(`  evidence not tied to any order 无法关联的证据: ${n(r.unjoined.count)} (see report.json → unjoined)`);
  const damaged = r.inputs.filter((f) => f.damaged);
  if (damaged.length || r.input_problems.length) {
    out.push(`  damaged input 输入受损: ${damaged.length} file(s)${r.input_problems.length ? `, ${r.input_problems.length} input problem(s)` : ''} — details in report.json and rejects.ndjson`);
    for (const f of damaged.slice(0, 5)) {
      const why = f.errors[0] ?? `${n(f.rejected)} line(s) rejected`;
      out.push(`    ${f.file}: ${why}`);
    }
    if (damaged.length > 5) out.push(`    … and ${damaged.length - 5} more`);
  }
  if (!r.accounting.ok) for (const p of r.accounting.problems.slice(0, 5)) out.push(`    ${p}`);
  if (r.elasticsearch) {
    if ('error' in r.elasticsearch) out.push(`  elasticsearch: FAILED — ${r.elasticsearch.error}`);
    else out.push(`  elasticsearch 索引: ${n(r.elasticsearch.indexed)} indexed, ${n(r.elasticsearch.failed)} failed`);
  }
  const o = r.outputs as { dir: string; card_keys: string };
  const rv = (r.outputs as { 'review.csv': { rows: number; high: number; medium: number; low: number } })['review.csv'];
  out.push(`  review.csv: ${n(rv.rows)} record(s) for manual follow-up (high ${n(rv.high)}, medium ${n(rv.medium)}, low ${n(rv.low)})`);
  out.push(`  wrote 输出: ${o.dir}/{transactions.ndjson, transactions.csv, restore.sql, review.csv, rejects.ndjson, report.json} (card keys ${o.card_keys} 卡密已${o.card_keys === 'masked' ? '脱敏' : '显示'})`);
  out.push('  the outputs hold buyer data: written owner-only (0600) / 输出含买家个人信息，仅所有者可读');
  const meaning = r.exit_code === 0 ? 'ok 成功' : r.exit_code === 1 ? 'finished, but some input was damaged 已完成，但部分输入受损' : 'finished, but a sink failed 已完成，但输出目标失败';
  out.push(`  exit ${r.exit_code}: ${meaning}`);
  return out.join('\n') + '\n';
}
