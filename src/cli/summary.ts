import type { RunReport } from '../sinks/report';
import { humanHole, humanSkew } from '../sinks/human-source';

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
  if (ch.coverage.gaps.length) {
    out.push('  evidence holes 证据缺口 (the other logs kept writing 其他日志仍有记录):');
    for (const g of ch.coverage.gaps.slice(0, 5)) out.push(`    ${humanHole(g, r.inputs)}`);
    if (ch.coverage.gaps.length > 5) out.push(`    … and ${ch.coverage.gaps.length - 5} more 另有 ${ch.coverage.gaps.length - 5} 处 (report.json → checks.coverage)`);
  }
  if (ch.sequence.missing_count > 0) out.push(`  sequence gaps 序号缺口: ${n(ch.sequence.missing_count)} ${ch.sequence.basis} value(s) left no evidence (report.json → checks.sequence)`);
  if (ch.balances.breaks.length) out.push(`  balance breaks 余额断链: ${n(ch.balances.breaks.length)} (missing events; see report.json → checks.balances)`);
  for (const k of ch.clocks.filter((c) => Math.abs(c.median_offset_s) >= 2)) out.push(`  clock skew 时钟偏差: ${humanSkew(k, r.inputs)}`);
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
  out.push(...skippedLines(r));
  const copies = r.inputs.filter((f) => f.copy_of !== undefined);
  if (copies.length) out.push(`  copies 重复文件: ${n(copies.length)} byte-identical file(s) read once, ${n(copies.reduce((a, f) => a + (f.copy_lines ?? 0), 0))} line(s) counted in the first (report.json → inputs[].copy_of) / 内容完全相同的文件只读取一次`);
  if (!r.accounting.ok) for (const p of r.accounting.problems.slice(0, 5)) out.push(`    ${p}`);
  out.push(...mentionsLines(r));
  const o = { dir: r.run.out_dir, ...(r.outputs as { card_keys: string }) };
  const rv = (r.outputs as { 'review.csv': { rows: number; high: number; medium: number; low: number; by_task?: Record<string, number> } })['review.csv'];
  const tasks = Object.entries(rv.by_task ?? {}).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${n(v)}`).join(', ');
  out.push(`  review.csv 待办清单: ${n(rv.rows)} order(s) to act on 个订单需人工处理 (high 高 ${n(rv.high)}, medium 中 ${n(rv.medium)}, low 低 ${n(rv.low)})${tasks ? `: ${tasks}` : ''}`);
  out.push(`  wrote 输出: ${o.dir}/{transactions.ndjson, transactions.csv, restore.sql, review.csv, rejects.ndjson, unjoined.ndjson, report.json, report.html} (card keys ${o.card_keys} 卡密已${o.card_keys === 'masked' ? '脱敏' : '显示'})`);
  out.push('  the outputs hold buyer data: written owner-only (0600) / 输出含买家个人信息，仅所有者可读');
  const meaning = r.exit_code === 0 ? 'ok 成功' : r.exit_code === 1 ? exitOneMeaning(r) : 'finished, but a sink failed 已完成，但输出目标失败';
  out.push(`  exit ${r.exit_code}: ${meaning}`);
  return out.join('\n') + '\n';
}

/** Exit 1 has two causes; the summary names the ones that apply. */
function exitOneMeaning(r: RunReport): string {
  const damaged = r.inputs.some((f) => f.damaged) || r.input_problems.length > 0 || !r.accounting.ok;
  const unread = r.mentions_audit.some((a) => a.needs_attention);
  const parts: string[] = [];
  if (damaged || !unread) parts.push('finished, but some input was damaged 已完成，但部分输入受损');
  if (unread) parts.push(`${damaged ? 'and' : 'finished, needs attention:'} lines naming recovered orders matched no rule 已完成，但有提及已知订单的行未匹配任何规则`);
  return parts.join('; ');
}

/** The mentions audit: files whose unread lines name orders this run recovered. */
function mentionsLines(r: RunReport): string[] {
  const out: string[] = [];
  const shown = r.mentions_audit.filter((a) => a.needs_attention);
  const quiet = r.mentions_audit.length - shown.length;
  for (const a of shown.slice(0, 5)) {
    const top = a.templates.slice(0, 3).map((t) => `"${t.template.length > 60 ? t.template.slice(0, 60) + '…' : t.template}" ×${n(t.count)}`).join(', ');
    const atLeast = a.untracked_lines > 0 ? 'at least ' : '';
    out.push(`  unread lines 未读懂的行: ${a.file}: ${atLeast}${n(a.noise_lines_mentioning_known_orders)} lines mention known orders but matched no rule; top templates: ${top} / ${n(a.noise_lines_mentioning_known_orders)} 行提及已知订单却未匹配任何规则`);
    out.push(`    draft rules for them 生成规则草稿: salvage rules suggest ${a.file} --out suggested.yaml, then reconstruct --rules <folder> (report.json → mentions_audit)`);
  }
  if (shown.length > 5) out.push(`    … and ${shown.length - 5} more file(s) (report.json → mentions_audit)`);
  if (quiet > 0) out.push(`  unread lines 未读懂的行: ${quiet} file(s) with a few noise lines naming known orders, below the threshold (report.json → mentions_audit)`);
  return out;
}

const SKIP_WORDS: Record<string, string> = {
  'repeat-directory': 'directories already visited (symlink loop or second name) 已访问过的目录（符号链接循环或别名）',
  fifo: 'FIFOs (named pipes), never opened 命名管道（未打开）',
  socket: 'sockets 套接字',
  device: 'devices 设备文件',
  'output-folder': 'salvage output folders 本工具的输出目录',
  'inside-out': 'files inside --out 位于输出目录内的文件',
  'repeat-bundle': 'bundles with the same bytes as another, read once 与其他归档包内容相同（只读一次）',
  'not-a-log': 'bundle members that are not logs (images, SQL dumps, binaries) 归档包中的非日志成员（图片、SQL 转储、二进制）',
};

/** One line per kind of skipped input, with its count; the paths are in report.json. */
function skippedLines(r: RunReport): string[] {
  const counts = new Map<string, number>();
  for (const k of r.input_skipped ?? []) counts.set(k.kind ?? 'other', (counts.get(k.kind ?? 'other') ?? 0) + 1);
  return [...counts].map(([kind, c]) => `  skipped 已跳过: ${n(c)} ${SKIP_WORDS[kind] ?? 'other entries 其他'} (report.json → input_skipped)`);
}
