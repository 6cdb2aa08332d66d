import { createHash } from 'node:crypto';
import { esc } from './escape';
import { calibrationSvg, histogramSvg, stackedBarsSvg, timelineSvg, type Label } from './charts';
import type { FindingRow, ReportModel } from './model';

// report.html: one self-contained page (inline CSS, inline SVG, one small inline script for the
// language switch). A Content-Security-Policy forbids every fetch and allows only that one
// script, by its hash: even if some log text slipped past escaping, it could neither run nor
// call out. Both languages are in the page; CSS shows one.

/** Both languages of a text, as the page shows them. */
function t(en: string, zh: string): string {
  return `<span class="en">${esc(en)}</span><span class="zh">${esc(zh)}</span>`;
}
const L = (en: string, zh: string): Label => ({ en, zh });

const STATUS: Record<string, string> = { created: '已创建', pending: '待支付', paid: '已支付', delivered: '已发货', refunded: '已退款', failed: '失败', unknown: '未知', expired: '已过期' };
const KIND: Record<string, [string, string]> = {
  bad_signature: ['forged callback (signature fails)', '伪造回调（签名不符）'],
  amount_mismatch: ['tampered callback (amount differs)', '篡改回调（金额不符）'],
  replayed_notify: ['replayed callback', '重放回调'],
  forged_suspect: ['suspected forged callback', '疑似伪造回调'],
  notify_refused_by_shop: ['callback refused by the shop', '商户拒绝的回调'],
  conflict: ['conflicting values', '字段冲突'],
  paid_not_delivered: ['paid, not delivered', '已付款未发货'],
  delivered_not_paid: ['delivered, no payment seen', '已发货但未见付款'],
  card_key_reused: ['card key delivered twice', '卡密重复发放'],
  callback_for_unknown_order: ['callback for an unknown order', '未知订单的回调'],
  sequence_gap: ['gap in order numbers', '订单编号缺口'],
  balance_break: ['balance chain break', '余额链断裂'],
};
const PRIORITY: Record<string, string> = { high: '高', medium: '中', low: '低' };

function kindLabel(k: string): string {
  const p = KIND[k];
  return p ? t(p[0], p[1]) : esc(k);
}
function statusLabel(s: string | null): string {
  if (!s) return '';
  return STATUS[s] ? t(s, STATUS[s]!) : esc(s);
}
const num = (n: number) => n.toLocaleString('en-US');
const money = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const CSS = `
:root{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1d2329;background:#fff}
body{margin:0 auto;max-width:1080px;padding:16px 20px 60px;line-height:1.45}
html.lang-en .zh,html.lang-zh .en{display:none}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:2px solid #e3e6ea;padding-bottom:.2em}h3{font-size:1em;margin:1em 0 .4em}
.meta{color:#5b6670;font-size:.9em}.note{background:#fff8e1;border-left:4px solid #e0a800;padding:.4em .8em;margin:.6em 0;font-size:.92em}
.bad{color:#b02a2a;font-weight:600}.ok{color:#2b7a3f;font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:10px;margin:.8em 0}
.card{border:1px solid #dde2e7;border-radius:8px;padding:10px 12px}.card .v{font-size:1.6em;font-weight:650}.card .k{color:#5b6670;font-size:.88em}
.card.alert{border-color:#e3a0a0;background:#fdf3f3}
table{border-collapse:collapse;width:100%;font-size:.86em;margin:.4em 0}th,td{border-bottom:1px solid #e8ebee;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f4f6f8;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:650;border-top:2px solid #cfd5db}
tr.damaged td:first-child{border-left:3px solid #c04848}.tag{display:inline-block;padding:0 5px;border-radius:4px;font-size:.85em;background:#eef1f4}
.tag.red{background:#fbe3e3;color:#9c1f1f}.tag.amber{background:#fff0d6;color:#8a5a00}.tag.green{background:#e1f4e6;color:#1f6b35}
code,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.92em;word-break:break-all;overflow-wrap:anywhere}
td{overflow-wrap:anywhere}td.n,th.n{white-space:nowrap;overflow-wrap:normal}
.chart{width:100%;height:auto;display:block;margin:.3em 0}.chart.half{width:49%;display:inline-block;vertical-align:top}.chart.square{width:330px;max-width:49%;display:inline-block;vertical-align:top;margin-left:2%}
.chart text{font-size:11px;fill:#333}.chart .small{font-size:10px;fill:#5b6670}.chart .lane{font-size:11px}
.switch{position:sticky;top:0;float:right;background:#fff;padding:4px}.switch button{border:1px solid #9aa5b1;background:#fff;padding:3px 10px;cursor:pointer;border-radius:4px}
html.lang-en #lang-en,html.lang-zh #lang-zh{background:#1d2329;color:#fff}
.more{color:#5b6670;font-size:.88em}
`;

const SCRIPT = `(function(){var h=document.documentElement;function set(l){h.className='lang-'+l;h.lang=l==='zh'?'zh-CN':'en';}
document.getElementById('lang-en').addEventListener('click',function(){set('en')});
document.getElementById('lang-zh').addEventListener('click',function(){set('zh')});})();`;

/** The whole page. `tick` writes a bucket start in the run's zone (e.g. `11-21 14:00`). */
export function renderPage(m: ReportModel, tick: (ms: number) => string): string {
  const scriptHash = createHash('sha256').update(SCRIPT).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${scriptHash}'; connect-src 'none'; form-action 'none'; base-uri 'none'`;
  const body = [header(m), summary(m), accounting(m), coverage(m, tick), orders(m, tick), findings(m), review(m), footer(m)].join('\n');
  return `<!DOCTYPE html>
<html class="lang-${m.lang}" lang="${m.lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>salvage — recovery report / 恢复报告</title>
<style>${CSS}</style>
</head>
<body>
${body}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function header(m: ReportModel): string {
  return `<div class="switch"><button id="lang-zh" type="button">中文</button> <button id="lang-en" type="button">English</button></div>
<h1>${t('Recovery report', '交易恢复报告')}</h1>
<div class="meta">salvage ${esc(m.version)} · ${t('generated', '生成于')} ${esc(m.generated_at)} · ${t('time zone', '时区')} ${esc(m.tz)} · <code>${esc(m.out_dir)}</code></div>
<div class="note" id="masking">${t(
    `Buyer contacts (emails, phone numbers) are masked on this page, and card keys are never shown${m.card_keys === 'revealed' ? ' here (the run was asked to keep them in its other outputs)' : ' (they are masked in every output of this run)'}. The full data is in transactions.ndjson and review.csv beside this file (owner-only).`,
    `本页已对买家联系方式（邮箱、手机号）脱敏，且不显示卡密${m.card_keys === 'revealed' ? '（本次运行的其他输出按要求保留了卡密）' : '（本次运行的所有输出均已脱敏卡密）'}。完整数据见同目录的 transactions.ndjson 与 review.csv（仅所有者可读）。`,
  )}</div>`;
}

function summary(m: ReportModel): string {
  const s = m.summary;
  const damaged = s.damaged_files > 0 || s.input_problems.length > 0;
  const amountText = s.amounts.length === 0 ? '0' : s.amounts.map((a) => `${money(a.total)} ${esc(a.currency)}`).join(' + ');
  const confidentText = s.amounts.map((a) => `${money(a.confident)} ${esc(a.currency)}`).join(' + ') || '0';
  const cards = [
    card('records', num(s.records), t('records recovered', '恢复的记录')),
    card('amount', amountText, t(`recovered as paid (${num(s.paid_records)} records); ${confidentText} at ≥ 0.9`, `已付款金额（${num(s.paid_records)} 条记录）；置信度 ≥ 0.9 的为 ${confidentText}`)),
    card('restore', num(s.restore_ready), t('records with confidence ≥ 0.9, ready to restore', '置信度 ≥ 0.9、可直接恢复的记录') + (s.restore_sql ? `<div class="more">${t(`restore.sql inserts ${num(s.restore_sql.inserts)} (≥ ${s.restore_sql.min_confidence})`, `restore.sql 插入 ${num(s.restore_sql.inserts)} 条（≥ ${s.restore_sql.min_confidence}）`)}</div>` : '')),
    card('review', num(s.review.rows), t(`need review (high ${s.review.high}, medium ${s.review.medium}, low ${s.review.low})`, `需人工核查（高 ${s.review.high}，中 ${s.review.medium}，低 ${s.review.low}）`), s.review.high > 0),
    card('damaged', damaged ? t('yes', '是') : t('no', '否'), damaged ? t(`input damaged: ${s.damaged_files} file(s)`, `输入受损：${s.damaged_files} 个文件`) : t('no input was damaged', '没有输入受损'), damaged),
  ];
  const statusRows = s.by_status.map(([k, v]) => `<tr><td>${statusLabel(k)}</td><td class="n">${num(v)}</td></tr>`).join('');
  const channelRows = s.by_channel.map(([k, v]) => `<tr><td>${esc(k)}</td><td class="n">${num(v)}</td></tr>`).join('');
  const problems = [...s.input_problems, ...s.accounting_problems];
  return `<section id="summary"><h2>${t('Summary', '摘要')}</h2>
<div class="cards">${cards.join('')}</div>
<div style="display:flex;gap:20px"><table id="by-status"><tr><th>${t('status', '状态')}</th><th class="n">${t('records', '记录')}</th></tr>${statusRows}</table>
<table id="by-channel"><tr><th>${t('channel', '支付渠道')}</th><th class="n">${t('records', '记录')}</th></tr>${channelRows}</table></div>
<p>${t('Accounting', '行数核对')}: ${s.accounting_ok ? `<span class="ok">${t('every line is counted as evidence, noise or rejected', '每一行都已计为证据、噪声或拒绝')}</span>` : `<span class="bad">${t('the counts do not add up', '计数不一致')}</span>`}${s.mentions_attention > 0 ? ` · <span class="bad">${t(`${s.mentions_attention} file(s) have unread lines naming recovered orders`, `${s.mentions_attention} 个文件中有未读取的行提到了已恢复的订单`)}</span>` : ''}</p>
${problems.length ? `<ul class="bad">${problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : ''}
</section>`;
}

function card(id: string, value: string, label: string, alert = false): string {
  return `<div class="card${alert ? ' alert' : ''}" id="card-${id}"><div class="v">${value}</div><div class="k">${label}</div></div>`;
}

function accounting(m: ReportModel): string {
  const f = m.files;
  const rows = f.rows.map((r) => `<tr class="${r.damaged ? 'damaged' : ''}"><td class="mono">${esc(r.file)}${r.copy_of ? ` <span class="tag">${t('copy of', '副本：')} ${esc(r.copy_of)}</span>` : ''}${r.damaged ? ` <span class="tag red">${t('damaged', '受损')}</span>` : ''}${r.errors.length ? `<div class="more">${r.errors.map(esc).join('<br>')}</div>` : ''}</td><td>${esc(r.format ?? '—')}</td><td class="n">${num(r.lines)}</td><td class="n">${num(r.parsed)}</td><td class="n">${num(r.evidence)}</td><td class="n">${num(r.noise)}</td><td class="n">${num(r.rejected)}</td></tr>`).join('');
  const tt = f.totals;
  const reasons = m.rejects.reasons.map(([r, n]) => `<tr><td class="mono">${esc(r)}</td><td class="n">${num(n)}</td></tr>`).join('');
  const mentions = m.mentions.map((x) => `<tr><td class="mono">${esc(x.file)}${x.needs_attention ? ` <span class="tag red">${t('needs attention', '需关注')}</span>` : ''}</td><td class="n">${num(x.lines)}</td><td class="n">${num(x.noise)}</td><td>${x.templates.map((tp) => `<div class="mono">${esc(tp.template)} <span class="more">×${num(tp.count)}</span></div>`).join('')}</td></tr>`).join('');
  return `<section id="accounting"><h2>${t('Accounting per input file', '各输入文件的行数核对')}</h2>
<table id="files-table"><tr><th>${t('file', '文件')}</th><th>${t('format', '格式')}</th><th class="n">${t('lines', '行数')}</th><th class="n">${t('parsed', '已解析')}</th><th class="n">${t('evidence', '证据')}</th><th class="n">${t('noise', '噪声')}</th><th class="n">${t('rejected', '拒绝')}</th></tr>
${rows}<tr class="total"><td>${t(`total (${f.total} files)`, `合计（${f.total} 个文件）`)}</td><td></td><td class="n">${num(tt.lines)}</td><td class="n">${num(tt.parsed)}</td><td class="n">${num(tt.evidence)}</td><td class="n">${num(tt.noise)}</td><td class="n">${num(tt.rejected)}</td></tr></table>
${f.total > f.rows.length ? `<p class="more">${t(`showing ${f.rows.length} of ${f.total} files (damaged first, then the largest); all are in report.json`, `显示 ${f.total} 个文件中的 ${f.rows.length} 个（受损的在前，其余按大小）；全部见 report.json`)}</p>` : ''}
<h3>${t('Why lines were rejected', '行被拒绝的原因')}</h3>
${m.rejects.total === 0 ? `<p>${t('No line was rejected.', '没有被拒绝的行。')}</p>` : `<table id="reject-reasons"><tr><th>${t('reason', '原因')}</th><th class="n">${t('lines', '行数')}</th></tr>${reasons}<tr class="total"><td>${t(`total (${m.rejects.kinds} reasons; every line is in rejects.ndjson)`, `合计（${m.rejects.kinds} 种原因；每行都在 rejects.ndjson）`)}</td><td class="n">${num(m.rejects.total)}</td></tr></table>`}
${m.mentions.length ? `<h3>${t('Mentions audit: unread lines that name recovered orders', '提及审计：未读取但提到已恢复订单的行')}</h3><table id="mentions"><tr><th>${t('file', '文件')}</th><th class="n">${t('lines naming orders', '提到订单的行')}</th><th class="n">${t('noise lines', '噪声行')}</th><th>${t('most common templates', '常见模板')}</th></tr>${mentions}</table>` : ''}
</section>`;
}

function coverage(m: ReportModel, tick: (ms: number) => string): string {
  const c = m.coverage;
  const svg = c.lanes.length
    ? timelineSvg({ starts: c.starts, bucketMs: c.bucket_ms, lanes: c.lanes, gaps: c.gaps, tick, holeLabel: L('hole in the evidence', '证据缺口') })
    : `<p>${t('No timed evidence.', '没有带时间的证据。')}</p>`;
  const per = c.bucket_ms / 3_600_000;
  const gaps = c.gaps.map((g) => `<li>${t(`${g.label}: no lines ${g.from} – ${g.to} (${g.hours} h) while the other sources wrote ${num(g.others_wrote)}`, `${g.label}：${g.from} – ${g.to}（${g.hours} 小时）没有任何行，而其他来源写了 ${num(g.others_wrote)} 行`)}</li>`).join('');
  const clocks = c.clocks.map((k) => `<li>${k.corrected ? t(`${k.label} was ${k.offset_s} s off ${k.reference_label} (${k.pairs} pairs): corrected before joining`, `${k.label} 与 ${k.reference_label} 相差 ${k.offset_s} 秒（${k.pairs} 对）：关联前已校正`) : t(`${k.label}: ${k.offset_s} s against ${k.reference_label} (${k.pairs} pairs), within tolerance`, `${k.label}：与 ${k.reference_label} 相差 ${k.offset_s} 秒（${k.pairs} 对），在容差内`)}</li>`).join('');
  return `<section id="coverage"><h2>${t('Coverage timeline', '覆盖时间线')}</h2>
<p class="more">${t(`Evidence lines per ${per === 1 ? 'hour' : `${per} hours`} for each source and host; an empty stretch is drawn empty, and the holes the coverage check found are hatched.`, `每个来源和主机每${per === 1 ? '小时' : ` ${per} 小时`}的证据行数；空白即无数据，覆盖检查发现的缺口以斜线标出。`)}</p>
${svg}
<h3>${t('Holes in the evidence', '证据缺口')}</h3>${gaps ? `<ul id="gaps">${gaps}</ul>` : `<p>${t('None found.', '未发现。')}</p>`}
<h3>${t('Clock skew', '时钟偏差')}</h3>${clocks ? `<ul id="clocks">${clocks}</ul>` : `<p>${t('No clocks compared.', '没有可比较的时钟。')}</p>`}
</section>`;
}

function orders(m: ReportModel, tick: (ms: number) => string): string {
  const o = m.orders;
  const per = o.bucket_ms / 3_600_000;
  const unit = per === 1 ? L('per hour', '每小时') : L(`per ${per} hours`, `每 ${per} 小时`);
  const counts = o.starts.length
    ? stackedBarsSvg({ chart: 'orders', starts: o.starts, series: o.channels.map((name, i) => ({ name, values: o.counts[i]! })), tick, yLabel: L(`paid orders ${unit.en}, by channel`, `${unit.zh}已付款订单（按渠道）`) })
    : `<p>${t('No paid records.', '没有已付款的记录。')}</p>`;
  const amounts = o.starts.length
    ? stackedBarsSvg({ chart: 'amounts', starts: o.starts, series: o.channels.map((name, i) => ({ name, values: o.amounts[i]! })), tick, yLabel: L(`amount ${unit.en}, by channel`, `${unit.zh}金额（按渠道）`), format: (v) => (v >= 1000 ? `${Math.round(v / 100) / 10}k` : String(Math.round(v * 100) / 100)) })
    : '';
  const hist = histogramSvg(m.confidence, L('records by confidence (dashed: 0.9)', '按置信度的记录数（虚线：0.9）'));
  const cal = m.calibration
    ? calibrationSvg(m.calibration, { x: L('mean confidence', '平均置信度'), y: L('share correct (against the truth)', '与真值相符的比例') })
    : '';
  return `<section id="orders"><h2>${t('Recovered orders and amount over time', '恢复的订单与金额（按时间）')}</h2>
<p class="more">${t(`Records claiming payment (paid, delivered, refunded), by the hour they were paid: ${num(o.total)}${o.undated ? `, ${num(o.undated)} without a time are not drawn` : ''}.`, `声称已付款的记录（已支付、已发货、已退款），按付款时间：共 ${num(o.total)} 条${o.undated ? `，其中 ${num(o.undated)} 条无时间未画出` : ''}。`)}</p>
${counts}${amounts}
<h3>${t('Confidence', '置信度')}${m.calibration ? t(' and calibration', '与校准') : ''}</h3>
${hist}${cal}
${m.calibration ? '' : `<p class="more">${t('The calibration chart appears when the report is built with --truth (a simulated shop).', '使用 --truth（模拟店铺的真值）生成报告时会显示校准图。')}</p>`}
</section>`;
}

function evidenceCell(f: FindingRow): string {
  return f.evidence.map((e) => `<div class="ev mono" data-file="${esc(e.file)}" data-line="${e.line}"${e.offset !== null ? ` data-offset="${e.offset}"` : ''}>${esc(e.file)}:${e.line}${e.offset !== null ? ` @${num(e.offset)}` : ''} <span class="more">${esc(e.kind)}</span></div>`).join('');
}

function findings(m: ReportModel): string {
  const f = m.findings;
  const counts = f.counts.map(([k, n]) => `<tr><td>${kindLabel(k)}</td><td class="n">${num(n)}</td></tr>`).join('');
  const rows = f.rows.map((r) => `<tr class="finding" data-kind="${esc(r.kind)}" data-category="${esc(r.category)}" data-order="${esc(r.order_id ?? '')}"><td>${kindLabel(r.kind)}</td><td class="mono">${esc(r.order_id ?? '—')}</td><td>${statusLabel(r.status)}</td><td class="n">${r.confidence ?? ''}</td><td class="n">${r.amount === null ? '' : money(r.amount)}</td><td>${esc(r.detail)}</td><td>${evidenceCell(r)}</td></tr>`).join('');
  const shown = f.rows.length;
  return `<section id="findings"><h2>${t('Findings', '发现的问题')}</h2>
${f.total === 0 ? `<p>${t('No findings.', '没有发现问题。')}</p>` : `<table id="finding-counts"><tr><th>${t('finding', '问题')}</th><th class="n">${t('count', '数量')}</th></tr>${counts}</table>
<table id="findings-table"><tr><th>${t('finding', '问题')}</th><th>${t('order', '订单')}</th><th>${t('status', '状态')}</th><th class="n">${t('confidence', '置信度')}</th><th class="n">${t('amount', '金额')}</th><th>${t('detail', '说明')}</th><th>${t('evidence (file:line @byte offset)', '证据（文件:行 @字节偏移）')}</th></tr>${rows}</table>
${shown < f.total ? `<p class="more">${t(`showing ${shown} of ${num(f.total)}; each record's flags are in transactions.ndjson`, `显示 ${num(f.total)} 条中的 ${shown} 条；每条记录的标记见 transactions.ndjson`)}</p>` : ''}`}
</section>`;
}

function review(m: ReportModel): string {
  const r = m.review;
  const rows = r.rows.map((x) => `<tr data-priority="${esc(x.priority)}"><td><span class="tag ${x.priority === 'high' ? 'red' : x.priority === 'medium' ? 'amber' : 'green'}">${PRIORITY[x.priority] ? t(x.priority, PRIORITY[x.priority]!) : esc(x.priority)}</span></td><td class="mono">${esc(x.order_id)}</td><td>${statusLabel(x.status)}</td><td class="n">${esc(x.confidence)}</td><td class="n">${esc(x.amount)}</td><td>${esc(x.why)}</td><td>${esc(x.missing)}</td><td>${esc(x.contact)}</td></tr>`).join('');
  return `<section id="review"><h2>${t('Review worklist (short)', '人工核查清单（摘要）')}</h2>
${r.total === 0 ? `<p>${t('Nothing needs a person.', '没有需要人工处理的记录。')}</p>` : `<table id="review-table"><tr><th>${t('priority', '优先级')}</th><th>${t('order', '订单')}</th><th>${t('status', '状态')}</th><th class="n">${t('confidence', '置信度')}</th><th class="n">${t('amount', '金额')}</th><th>${t('why', '原因')}</th><th>${t('missing', '缺少')}</th><th>${t('contact (masked)', '联系方式（已脱敏）')}</th></tr>${rows}</table>
<p class="more">${t(`showing ${r.rows.length} of ${num(r.total)} rows; the full list, with contacts, is review.csv`, `显示 ${num(r.total)} 行中的 ${r.rows.length} 行；含联系方式的完整清单见 review.csv`)}</p>`}
</section>`;
}

function footer(m: ReportModel): string {
  return `<p class="meta" style="margin-top:2em">${t(`Exit code of the run: ${m.exit_code}. This page needs no network and loads nothing.`, `本次运行的退出码：${m.exit_code}。本页无需网络，不加载任何外部内容。`)}</p>`;
}
