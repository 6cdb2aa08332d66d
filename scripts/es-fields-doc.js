#!/usr/bin/env node
'use strict';
// Writes docs/elasticsearch-fields.md from the index templates (es/templates/*.json), after a build:
//   npx tsc -p tsconfig.json && node scripts/es-fields-doc.js > docs/elasticsearch-fields.md
// test/sinks/es-documents.test.ts fails when the page and the templates disagree.
const m = require(require('node:path').join(__dirname, '..', 'dist', 'src', 'sinks', 'es', 'mapping.js'));
const D = {
  '@timestamp': { _: '', transactions: 'paid_at, else created_at, else the earliest evidence time, else the run time (`salvage.timestamp_from` says which)', evidence: 'the log line\'s own time; the record\'s time when the line has none (`salvage.evidence.timed: false`)', runs: 'when the run wrote report.json (a coverage hole: its first hour)' },
  'event.kind': 'always `event`',
  'event.category': '`web` (transactions, evidence); `process` (runs)',
  'event.type': { transactions: '`info`', evidence: '`access` for nginx lines, `info` for application and gateway logs', runs: '`end`' },
  'event.action': { transactions: '`order-<status>`, e.g. `order-paid`', evidence: 'the evidence kind: `order_created`, `payment_notified`, `card_delivered`, … (src/model/types.ts EVIDENCE_KINDS)', runs: '`salvage-run`, or `coverage-gap`' },
  'event.outcome': { transactions: '`success` (paid, delivered), `failure` (failed, refunded), `unknown`', evidence: '`success` (created, notified, confirmed, observed, delivered), `failure` (rejected, failed, expired), `unknown`', runs: '`success` when the run exited 0 or 1' },
  'event.dataset': { _: '`salvage.transactions`, `salvage.evidence`', transactions: '`salvage.transactions`', evidence: '`salvage.evidence`', runs: '`salvage.runs` (the run document) or `salvage.coverage` (a coverage hole)' },
  'event.module': 'always `salvage`',
  'http.request.method': 'mapped as the nginx integration does; not filled yet (the evidence does not keep the request line)',
  'http.request.referrer': 'mapped as the nginx integration does; not filled yet',
  'http.version': 'mapped as the nginx integration does; not filled yet',
  'http.response.body.bytes': { _: 'not filled', evidence: 'the access line\'s body bytes, when the rule kept them' },
  'http.response.status_code': { _: 'not filled', evidence: 'the status nginx answered with (nginx evidence)' },
  'log.file.path': { transactions: 'the file of the record\'s first evidence line', evidence: 'the input file, as given on the command line', _: 'not filled' },
  'log.offset': { transactions: 'byte offset of the record\'s first evidence line', evidence: 'byte offset of the line\'s first byte in the (decompressed) file', _: 'not filled' },
  'related.ip': { transactions: 'every client address the record\'s evidence carries', evidence: 'the line\'s client address', _: 'not filled' },
  'source.ip': { evidence: 'the client address of the line (nginx remote address, or the app log\'s buy_ip)', _: 'not filled' },
  'source.address': 'mapped for ECS; not filled',
  'url.original': 'mapped as the nginx integration does; not filled yet',
  'url.original.text': 'full-text view of url.original',
  'url.path': 'mapped as the nginx integration does; not filled yet',
  'url.query': 'mapped as the nginx integration does; not filled yet',
  'user.email': { transactions: 'the buyer\'s email (PII)', _: 'not filled' },
  'user_agent.original': { evidence: 'the client\'s User-Agent, when the line carries it', _: 'not filled' },
  'user_agent.original.text': 'full-text view of user_agent.original',
  'salvage.run.id': 'the run: `<generated_at>-<sha256 of report.json, 8 hex>`; the suffix of the run\'s index names',
  'salvage.record_id': { _: 'the record\'s `_id` in the transactions index (sha1 of the order number): the key from a record to its evidence', runs: 'not filled' },
  'salvage.order.id': { _: 'the order number (订单号)', runs: 'not filled' },
  'salvage.order.goods_id': { transactions: 'goods id', _: 'not filled' },
  'salvage.order.created_at': { transactions: 'when the order was created', _: 'not filled' },
  'salvage.order.paid_at': { transactions: 'when it was paid', _: 'not filled' },
  'salvage.payment.trade_no': { transactions: 'the gateway\'s trade number', _: 'not filled' },
  'salvage.status': { _: 'the record\'s status: created, pending, paid, delivered, refunded, failed, unknown', runs: 'not filled' },
  'salvage.channel': { _: 'payment channel (alipay, wxpay, …)', runs: 'not filled' },
  'salvage.amount': { _: 'amount in yuan', runs: 'not filled' },
  'salvage.currency': { _: 'currency (CNY)', runs: 'not filled' },
  'salvage.confidence': { _: 'the record\'s confidence, 0–1 (docs/confidence.md)', runs: 'not filled' },
  'salvage.flags': { _: 'the checks\' flags: `bad_signature`, `replayed_notify`, `paid_not_delivered`, `expired`, …', runs: 'not filled' },
  'salvage.reasons': 'why the confidence is what it is, one sentence each',
  'salvage.conflicts.count': 'how many fields had differing values',
  'salvage.conflicts.fields': 'which fields',
  'salvage.conflicts.detail': 'every differing value with its rule, file and line (stored, not indexed)',
  'salvage.evidence.count': 'evidence items of the record (= its documents in the evidence index)',
  'salvage.evidence.kinds': 'evidence kinds the record has',
  'salvage.evidence.rules': 'rules that produced them',
  'salvage.evidence.formats': 'log formats they came from',
  'salvage.evidence.files': 'files they came from',
  'salvage.evidence.first_ts': 'earliest evidence time',
  'salvage.evidence.last_ts': 'latest evidence time',
  'salvage.review.task': 'the task review.csv gives the record (`payment_unproven`, `forged_callback`, …), judged with the run\'s --review-below; absent when the record asks nothing',
  'salvage.review.priority': '`high`, `medium` or `low`, as in review.csv',
  'salvage.review.rank': '1 (high), 2 (medium), 3 (low): sorts the review queue most urgent first',
  'salvage.timestamp_from': '`paid_at`, `created_at`, `evidence` or `run`: where @timestamp came from',
  'salvage.provenance': 'for each field, the rule, file and line it was taken from (stored, not indexed)',
  'salvage.record': 'the record exactly as transactions.ndjson has it, for `salvage export --from es:` (stored, not indexed)',
  'salvage.evidence.kind': 'what the line proves (event.action has the same value)',
  'salvage.evidence.rule': 'the rule id that read the line',
  'salvage.evidence.format': 'the parser id of the line (nginx-combined, laravel, …)',
  'salvage.evidence.file': 'the input file (= log.file.path)',
  'salvage.evidence.line': '1-based line number in the file',
  'salvage.evidence.offset': 'byte offset (= log.offset)',
  'salvage.evidence.seq': 'position of the item in the record\'s evidence list',
  'salvage.evidence.timed': 'false when the line had no time of its own',
  'salvage.evidence.joined': '`true` for a record\'s evidence; `false` for an item that joined no order (no record fields, no log.offset)',
  'salvage.unjoined.why': 'why the item joined no order, as report.json says it',
  'salvage.unjoined.reason': '`<rule>: <why>` with numbers masked: the key of report.json → unjoined.by_reason, to rank the top unjoined evidence',
  'salvage.gap.source': 'coverage hole: the source (format@folder) that went silent',
  'salvage.gap.from': 'coverage hole: first silent hour (= @timestamp)',
  'salvage.gap.to': 'coverage hole: end of the silent hours',
  'salvage.gap.hours': 'coverage hole: silent hours',
  'salvage.gap.others_wrote': 'coverage hole: entries the other sources wrote meanwhile',
};
const R = (p) => ({
  'salvage.run.accounting.ok': 'every input line accounted for', 'salvage.run.accounting.problems': 'the accounting identities that failed',
  'salvage.run.card_keys': '`masked` or `revealed`', 'salvage.run.documents.evidence': 'evidence documents the run has (joined and unjoined)', 'salvage.run.documents.unjoined': 'of which unjoined', 'salvage.run.documents.coverage': 'coverage-hole documents in the runs index', 'salvage.run.documents.transactions': 'transaction documents the run has',
  'salvage.run.exit_code': 'the reconstruct exit code', 'salvage.run.generated_at': 'when report.json was written', 'salvage.run.indexed_at': 'when the run was indexed',
  'salvage.run.inputs.damaged': 'per input file: damaged', 'salvage.run.inputs.file': 'per input file: its name', 'salvage.run.inputs.format': 'per input file: detected format', 'salvage.run.inputs.sha256': 'per input file: its hash',
  'salvage.run.out_dir': 'the run\'s --out folder', 'salvage.run.records.by_channel': 'records per channel (flattened)', 'salvage.run.records.flagged': 'records per flag (flattened)', 'salvage.run.records.total': 'records',
  'salvage.run.report': 'the whole report.json (stored, not indexed)', 'salvage.run.unjoined': 'evidence items that joined no order',
  'salvage.run.settings.keys_given': 'merchant keys were given (signatures checked)', 'salvage.run.settings.max_line_bytes': '--max-line-bytes', 'salvage.run.settings.rule_dirs': '--rules folders', 'salvage.run.settings.tz': '--tz', 'salvage.run.settings.workers': '--workers',
}[p] ?? (p.startsWith('salvage.run.records.by_status.') ? `records with status ${p.split('.').pop()}` : p.startsWith('salvage.run.totals.') ? `report.json totals.${p.split('.').pop()}` : null));
const out = [];
out.push(`# Elasticsearch fields (the index templates)

The mapping salvage installs before it indexes (\`salvage index\`, \`reconstruct --es\`), for
anyone building Kibana data views, saved searches or Lens panels on it. The source of truth is
\`es/templates/*.json\`: a component template \`<prefix>-ecs-base\` shared by three composable index
templates. A test (test/sinks/es-documents.test.ts) fails when this page and the templates
disagree, and another checks every field the document builders write is mapped.

## Names

| what | name (default prefix \`salvage\`) |
|---|---|
| aliases to query (they point at one run) | \`salvage-transactions\`, \`salvage-evidence\`, \`salvage-runs\` |
| the run's outputs they come from | \`transactions.ndjson\` (records, their evidence pointers), \`unjoined.ndjson\` (evidence that joined no order), \`report.json\` (the run, coverage holes) |
| one run's indices | \`salvage-transactions-<run id>\`, \`salvage-evidence-<run id>\`, \`salvage-runs-<run id>\` |
| index templates | \`salvage-transactions\`, \`salvage-evidence\`, \`salvage-runs\` (patterns \`salvage-<kind>-*\`), composed of \`salvage-ecs-base\` |
| data view patterns | \`salvage-transactions\` and \`salvage-evidence\` (the aliases), time field \`@timestamp\`; \`salvage-*-*\` to compare runs |

\`--es-prefix\` changes \`salvage\` above. \`dynamic\` is \`false\`: a field not listed here is kept in
\`_source\` but not searchable.

## Document ids

| kind | \`_id\` |
|---|---|
| transaction | sha1 of the order number (= \`salvage.record_id\`), the same in every run |
| evidence | sha1 of (order number, file, line, offset, kind, rule) |
| run | the run id |
| unjoined evidence | sha1 of (file, line, kind, rule) |
| coverage hole | sha1 of (source, from) |

## From a record to its raw lines

The evidence documents carry the record's \`salvage.record_id\`, so a record's lines are the
filter \`salvage.record_id : "<id>"\` on the evidence data view. A Kibana URL field format on
\`salvage.record_id\` in the transactions data view does it in one click, e.g.
\`/app/discover#/?_a=(dataSource:(dataViewId:'<evidence data view id>',type:dataView),query:(language:kuery,query:'salvage.record_id:"{{value}}"'))\`.
Each evidence document gives \`log.file.path\`, \`salvage.evidence.line\` and \`log.offset\`: the exact
line (\`sed -n '<line>p' <file>\`, or \`tail -c +<offset+1> <file> | head -1\`).
Evidence documents also repeat the record's status, channel, amount, confidence and flags, so
one filter works on both data views.
`);
for (const kind of m.DOC_KINDS) {
  out.push(`## ${kind} (\`<prefix>-${kind}\`)\n\n| field | type | ${kind === 'runs' ? 'meaning' : 'meaning'} |\n|---|---|---|`);
  for (const f of m.mappedFields(kind)) {
    let d = D[f.path];
    if (d && typeof d === 'object') d = d[kind] ?? d._;
    if (d === undefined && kind === 'runs') d = R(f.path);
    if ((d === undefined || d === null) && f.path.startsWith('salvage.run.')) d = R(f.path);
    if (d === undefined || d === null) d = 'not filled';
    out.push(`| \`${f.path}\` | ${f.type} | ${d} |`);
  }
  out.push('');
}
out.push(`Aggregatable: every keyword, numeric (long, integer, float, double), ip, date and
boolean field above. Not aggregatable: the \`.text\` multi-fields (match_only_text), \`object\`
fields (stored, not indexed); \`flattened\` fields aggregate on their keys' values as keywords.
`);
process.stdout.write(out.join('\n'));
