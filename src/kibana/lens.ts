import type { LensColumn } from './lens-columns';
import { count, histogram, metric, perHour, topValues } from './lens-columns';
import { savedObject, type AssetNames, type SavedObject } from './saved-object';

// The dashboard's Lens visualizations (type "lens", by reference), each one layer on one data
// view. A layer names its data view only through the reference
// `indexpattern-datasource-layer-<layer id>`, which is how Lens finds it after an import.

type Viz =
  | { kind: 'bars'; x: string; y: string[]; split?: string; stacked: boolean }
  | { kind: 'heatmap'; x: string; y: string; value: string }
  | { kind: 'table'; columns: string[] };

interface LensSpec {
  id: string;
  title: string;
  description: string;
  view: { id: string };
  layerId: string;
  columns: Record<string, LensColumn>;
  kql: string;
  viz: Viz;
}

export function layerRefName(layerId: string): string {
  return `indexpattern-datasource-layer-${layerId}`;
}

const AXES = { x: true, yLeft: true, yRight: true };

function visualization(spec: LensSpec): { type: string; state: Record<string, unknown> } {
  const v = spec.viz;
  const layerBase = { layerId: spec.layerId, layerType: 'data' };
  if (v.kind === 'bars') {
    const seriesType = v.stacked ? 'bar_stacked' : 'bar';
    return {
      type: 'lnsXY',
      state: {
        legend: { isVisible: true, position: 'right' },
        valueLabels: 'hide',
        fittingFunction: 'None',
        preferredSeriesType: seriesType,
        axisTitlesVisibilitySettings: AXES,
        gridlinesVisibilitySettings: AXES,
        tickLabelsVisibilitySettings: AXES,
        labelsOrientation: { x: 0, yLeft: 0, yRight: 0 },
        layers: [{ ...layerBase, seriesType, xAccessor: v.x, accessors: v.y, ...(v.split ? { splitAccessor: v.split } : {}) }],
      },
    };
  }
  if (v.kind === 'heatmap') {
    return {
      type: 'lnsHeatmap',
      state: {
        ...layerBase,
        shape: 'heatmap',
        xAccessor: v.x,
        yAccessor: v.y,
        valueAccessor: v.value,
        legend: { isVisible: true, position: 'right', type: 'heatmap_legend' },
        gridConfig: { type: 'heatmap_grid', isCellLabelVisible: false, isYAxisLabelVisible: true, isXAxisLabelVisible: true, isYAxisTitleVisible: true, isXAxisTitleVisible: true },
      },
    };
  }
  return { type: 'lnsDatatable', state: { ...layerBase, columns: v.columns.map((columnId) => ({ columnId })) } };
}

function lens(spec: LensSpec): SavedObject {
  const viz = visualization(spec);
  return savedObject(
    'lens',
    spec.id,
    {
      title: spec.title,
      description: spec.description,
      visualizationType: viz.type,
      state: {
        datasourceStates: { formBased: { layers: { [spec.layerId]: { columnOrder: Object.keys(spec.columns) /* buckets outermost first, as Lens nests them */, columns: spec.columns, incompleteColumns: {}, sampling: 1 } } } },
        visualization: viz.state,
        query: { query: spec.kql, language: 'kuery' },
        filters: [],
        adHocDataViews: {},
        internalReferences: [],
      },
    },
    [{ name: layerRefName(spec.layerId), type: 'index-pattern', id: spec.view.id }],
  );
}

const RECOVERED = 'recovered orders / 恢复的订单';

/** Orders per hour, one bar segment per (channel, status). */
export function ordersPerHour(n: AssetNames): SavedObject {
  return lens({
    id: `${n.prefix}-lens-orders-per-hour`,
    title: 'Recovered orders per hour by channel and status / 每小时恢复订单数（按渠道与状态）',
    description: 'Every recovered record, at its paid time (else created time), per hour.',
    view: n.transactionsView,
    layerId: 'orders',
    columns: { by: topValues('salvage.channel', 10, 'orders', 'channel · status / 渠道 · 状态', ['salvage.status']), hour: perHour(), orders: count(RECOVERED) },
    kql: '',
    viz: { kind: 'bars', x: 'hour', y: ['orders'], split: 'by', stacked: true },
  });
}

/** The amount per hour, split the same way. */
export function amountPerHour(n: AssetNames): SavedObject {
  return lens({
    id: `${n.prefix}-lens-amount-per-hour`,
    title: 'Recovered amount per hour by channel and status / 每小时恢复金额（按渠道与状态）',
    description: 'Sum of salvage.amount (yuan) per hour; records with no amount add nothing.',
    view: n.transactionsView,
    layerId: 'amount',
    columns: { by: topValues('salvage.channel', 10, 'amount', 'channel · status / 渠道 · 状态', ['salvage.status']), hour: perHour(), amount: metric('sum', 'salvage.amount', 'amount (yuan) / 金额（元）') },
    kql: '',
    viz: { kind: 'bars', x: 'hour', y: ['amount'], split: 'by', stacked: true },
  });
}

/** How sure the records are, stacked by status: money at stake below 0.9 is the review work. */
export function confidenceHistogram(n: AssetNames): SavedObject {
  return lens({
    id: `${n.prefix}-lens-confidence`,
    title: 'Confidence of the recovered records / 恢复记录的置信度分布',
    description: 'Records per confidence band, stacked by status.',
    view: n.transactionsView,
    layerId: 'confidence',
    columns: { status: topValues('salvage.status', 7, 'records', 'status / 状态'), band: histogram('salvage.confidence', 'confidence / 置信度', 20), records: count('records / 记录数') },
    kql: '',
    viz: { kind: 'bars', x: 'band', y: ['records'], split: 'status', stacked: true },
  });
}

/**
 * Coverage, seen: evidence lines per hour and file; a hole is a blank cell in a row that is busy
 * on either side (the holes the checks measured are the next panel). Lines with no time of
 * their own are left out: they sit at their record's time and would fill holes.
 */
export function evidencePerHourPerFile(n: AssetNames): SavedObject {
  return lens({
    id: `${n.prefix}-lens-coverage`,
    title: 'Evidence lines per hour per file: blank cells are holes / 每小时每个文件的证据行（空白即缺口）',
    description: 'Timed evidence lines per hour for the 20 busiest files.',
    view: n.evidenceView,
    layerId: 'coverage',
    columns: { file: topValues('log.file.path', 20, 'lines', 'file / 文件'), hour: perHour(), lines: count('evidence lines / 证据行') },
    kql: 'salvage.evidence.timed : true',
    viz: { kind: 'heatmap', x: 'hour', y: 'file', value: 'lines' },
  });
}

/** Coverage holes (report.json → checks.coverage): one document each in the runs index. */
export function holesPerSource(n: AssetNames): SavedObject {
  return lens({
    id: `${n.prefix}-lens-holes`,
    title: 'Coverage holes per source / 各来源的日志缺口',
    description: 'Hours a source (format@folder) went silent while the others wrote: holes, silent hours, and what the others wrote meanwhile.',
    view: n.runsView,
    layerId: 'holes',
    columns: {
      source: topValues('salvage.gap.source', 20, 'hours', 'source / 来源'),
      holes: count('holes / 缺口数'),
      hours: metric('sum', 'salvage.gap.hours', 'silent hours / 静默小时数'),
      others: metric('sum', 'salvage.gap.others_wrote', 'lines the others wrote meanwhile / 同期其他来源的行数'),
    },
    kql: 'event.dataset : "salvage.coverage"',
    viz: { kind: 'table', columns: ['source', 'holes', 'hours', 'others'] },
  });
}

/** The evidence items that joined no order, grouped by why (rule and reason, numbers masked). */
export function topUnjoined(n: AssetNames): SavedObject {
  return lens({
    id: `${n.prefix}-lens-unjoined`,
    title: 'Top unjoined evidence / 未关联订单的证据（按原因）',
    description: 'Evidence lines that joined no order, by salvage.unjoined.reason; filter salvage.evidence.joined : false in Discover for the lines.',
    view: n.evidenceView,
    layerId: 'unjoined',
    columns: {
      reason: topValues('salvage.unjoined.reason', 20, 'lines', 'rule: why / 规则：原因'),
      lines: count('lines / 行数'),
      files: metric('unique_count', 'log.file.path', 'files / 文件数'),
    },
    kql: 'salvage.evidence.joined : false',
    viz: { kind: 'table', columns: ['reason', 'lines', 'files'] },
  });
}
