// Fixed-width text rendering of an evaluation report. Headings are English with Chinese beside.

import { NOT_IN_TRUTH } from './metrics';
import { ACCURACY_FIELDS, LOGGED_FIELDS, type EvaluationReport, type GateResult, type Ratio } from './types';

export interface TableContext {
  truthDir: string;
  recoveredFile: string;
  profile: string | null;
  warnings: readonly string[];
  gates: readonly GateResult[];
  /** Longest list printed for missed orders, false records, field mismatches and forged orders. */
  listLimit: number;
}

/** Terminal columns taken by a string: CJK and full-width characters take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

function pad(s: string, width: number, align: 'l' | 'r'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return align === 'l' ? s + fill : fill + s;
}

/** Rows under a header, columns padded to their widest cell; the first column is left-aligned, the rest right. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string[] {
  const al = header.map((_, i) => align?.[i] ?? (i === 0 ? 'l' : 'r'));
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    '  ' + cells.map((c, i) => pad(c, widths[i]!, al[i]!)).join('  ').replace(/\s+$/, '');
  return [line(header), '  ' + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function pct(v: number | null): string {
  return v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`;
}

function num(v: number | null, digits = 3): string {
  return v === null ? '-' : v.toFixed(digits);
}

function ratioRow(label: string, r: Ratio): string[] {
  return [label, String(r.denominator), String(r.numerator), pct(r.value)];
}

function more(total: number, shown: number): string[] {
  return total > shown ? [`  ... ${total - shown} more (use --json for the full list) 更多条目请使用 --json`] : [];
}

export function formatTable(report: EvaluationReport, ctx: TableContext): string {
  const out: string[] = [];
  const c = report.counts;
  const section = (title: string) => out.push('', title);
  const lim = Math.max(0, ctx.listLimit);

  out.push('salvage evaluate: recovery vs. ground truth 恢复结果与真值对比');
  out.push(`  truth 真值        ${ctx.truthDir}${ctx.profile ? `  (damage profile 损坏配置: ${ctx.profile})` : ''}`);
  out.push(`  recovered 恢复    ${ctx.recoveredFile}`);
  for (const w of ctx.warnings) out.push(`  warning 警告: ${w}`);

  section('Counts 数量');
  out.push(
    ...renderTable(
      ['', 'count'],
      [
        ['truth orders 真值订单', String(c.truth_orders)],
        ['truth paid 真值已支付', String(c.truth_paid)],
        ['truth paid, recoverable 可恢复的已支付', String(c.truth_paid_recoverable)],
        ['DB rows 数据库行', String(c.db_rows)],
        ['records 恢复记录', String(c.records)],
        ['records claiming paid 声称已支付', String(c.records_claiming_paid)],
        ['records of unknown orders 未知订单记录', String(c.records_unknown_order)],
        ['duplicate records 重复记录', String(c.duplicate_records)],
      ],
    ),
  );

  section('Recall (paid) 召回率');
  out.push(
    ...renderTable(
      ['', 'orders', 'recovered', 'recall'],
      [
        ratioRow('all paid orders 全部已支付订单', report.recall.paid),
        ratioRow('recoverable paid orders 可恢复的已支付订单', report.recall.paid_recoverable),
      ],
    ),
  );

  section('Precision by confidence 按置信度的精确率');
  out.push(
    ...renderTable(
      ['confidence >=', 'records', 'claims paid', 'correct', 'precision', 'recall', 'recall (recoverable)'],
      report.thresholds.map((t) => [
        t.min_confidence.toFixed(2),
        String(t.records),
        String(t.claims),
        String(t.correct),
        pct(t.precision),
        pct(t.recall_paid),
        pct(t.recall_recoverable),
      ]),
    ),
  );

  section('Field accuracy (matched paid records) 字段准确率（匹配的已支付记录）');
  const fieldNames: Record<string, string> = {
    amount: 'amount 金额',
    paid_at: 'paid_at 支付时间',
    buyer_email: 'buyer_email 邮箱',
    goods_id: 'goods_id 商品',
  };
  out.push(
    ...renderTable(
      ['field', 'n', 'compared', 'correct', 'wrong', 'missing', 'truth null', 'accuracy'],
      ACCURACY_FIELDS.map((f) => {
        const a = report.fields[f];
        return [fieldNames[f]!, String(a.n), String(a.compared), String(a.correct), String(a.wrong), String(a.missing), String(a.truth_null), pct(a.accuracy)];
      }),
    ),
  );
  out.push('  (missing: the record has no value where the truth has one; counted apart, not as wrong 缺失不计为错误)');
  if (report.logged_fields) {
    const lf = report.logged_fields;
    out.push('', '  Where the logs carry the field (missing counts as a miss) 日志中有该字段的订单（缺失计为未取到）');
    out.push(
      ...renderTable(
        ['field', 'n', 'correct', 'wrong', 'missing', 'accuracy'],
        LOGGED_FIELDS.map((f) => [fieldNames[f]!, String(lf[f].n), String(lf[f].correct), String(lf[f].wrong), String(lf[f].missing), pct(lf[f].accuracy)]),
      ),
    );
  }
  if (report.field_mismatches.length > 0) {
    const shown = report.field_mismatches.slice(0, lim);
    if (shown.length > 0) {
      out.push('', '  Wrong values 错误的字段值');
      out.push(
        ...renderTable(
          ['order_id', 'field', 'truth', 'recovered', 'line'],
          shown.map((m) => [m.order_id, m.field, String(m.truth), String(m.recovered), String(m.line)]),
          ['l', 'l', 'l', 'l', 'r'],
        ).map((l) => '  ' + l),
      );
    }
    out.push(...more(report.field_mismatches.length, shown.length));
  }

  section('Calibration (records claiming paid) 置信度校准');
  out.push(
    ...renderTable(
      ['confidence bin', 'claims', 'mean confidence', 'correct', 'observed'],
      report.calibration.map((b) => [b.label, String(b.claims), num(b.mean_confidence), String(b.correct), pct(b.fraction_correct)]),
    ),
  );

  section('Forged callbacks 伪造回调');
  const f = report.forged;
  if (f === null) {
    out.push('  n/a: damage.json is missing 缺少 damage.json');
  } else {
    out.push(
      ...renderTable(
        ['forgery', 'orders', 'flagged', 'wrongly paid'],
        [
          ...Object.entries(f.by_forgery).map(([k, t]) => [k, String(t.orders), String(t.flagged), String(t.wrongly_paid)]),
          ['all forged orders 全部', String(f.orders), String(f.flagged), String(f.wrongly_paid)],
        ],
      ),
    );
    out.push(`  wrongly paid at confidence >= 0.9 高置信度误判为已支付: ${f.wrongly_paid_confident}`);
    const bad = f.orders_list.filter((o) => o.wrongly_paid || !o.flagged);
    const shown = bad.slice(0, lim);
    if (shown.length > 0) {
      out.push('', '  Forged orders not flagged or wrongly paid 未标记或误判的伪造订单');
      out.push(
        ...renderTable(
          ['order_id', 'forgery', 'truth', 'record', 'confidence', 'flagged', 'wrongly paid'],
          shown.map((o) => [
            o.order_id,
            o.forgeries.join(','),
            o.truth_status ?? NOT_IN_TRUTH,
            o.record_status ?? '-',
            num(o.record_confidence, 2),
            o.flagged ? 'yes' : 'no',
            o.wrongly_paid ? 'yes' : 'no',
          ]),
          ['l', 'l', 'l', 'l', 'r', 'l', 'l'],
        ).map((l) => '  ' + l),
      );
    }
    out.push(...more(bad.length, shown.length));
  }

  section('Status confusion (rows: truth, columns: recovered; orders) 状态混淆矩阵（行：真值，列：恢复）');
  const m = report.confusion;
  out.push(
    ...renderTable(
      ['truth \\ recovered', ...m.recovered_statuses],
      m.truth_statuses.map((r) => [r, ...m.recovered_statuses.map((col) => String(m.counts[r]?.[col] ?? 0))]),
    ),
  );

  section(`Missed paid orders 漏掉的已支付订单 (${report.missed.length})`);
  {
    const shown = report.missed.slice(0, lim);
    if (shown.length > 0) {
      out.push(
        ...renderTable(
          ['order_id', 'amount', 'reason'],
          shown.map((x) => [x.order_id, x.amount === null ? '-' : x.amount.toFixed(2), x.reason]),
          ['l', 'r', 'l'],
        ),
      );
    }
    out.push(...more(report.missed.length, shown.length));
  }

  section(`False paid records 误报的已支付记录 (${report.false_records.length})`);
  {
    const shown = report.false_records.slice(0, lim);
    if (shown.length > 0) {
      out.push(
        ...renderTable(
          ['order_id', 'status', 'confidence', 'line', 'reason'],
          shown.map((x) => [x.order_id, x.status, x.confidence.toFixed(2), String(x.line), x.reason]),
          ['l', 'l', 'r', 'r', 'l'],
        ),
      );
    }
    out.push(...more(report.false_records.length, shown.length));
  }

  if (ctx.gates.length > 0) {
    section('Gates 门槛');
    out.push(
      ...renderTable(
        ['gate', 'metric', 'required', 'actual', 'result'],
        ctx.gates.map((g) => [g.gate, g.metric, String(g.required), g.actual === null ? 'n/a' : String(Number(g.actual.toPrecision(6))), g.passed ? 'PASS 通过' : 'FAIL 未通过']),
        ['l', 'l', 'r', 'r', 'l'],
      ),
    );
    for (const g of ctx.gates) if (g.note) out.push(`  note: ${g.gate}: ${g.note}`);
  }
  return out.join('\n') + '\n';
}
