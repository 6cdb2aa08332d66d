import { savedObject, type AssetNames, type SavedObject } from './saved-object';

// The data views (saved object type "index-pattern"). Their field list is left to Kibana, which
// reads it from the node (field_caps) when the view is opened: a list written here would go
// stale with the next template change. Only what Kibana cannot know is written: the time field,
// field formats (the links from a record to its lines and back) and labels.

/** A Discover link showing the documents of `dataViewId` whose salvage.record_id is the clicked value. */
export function discoverByRecordUrl(dataViewId: string): string {
  // Rison app state, as Discover's own share links write it; the global time range is opened
  // wide because recovered orders are rarely in "the last 15 minutes". `../app/…`, not
  // `/app/…`: Kibana's URL format prefixes the former with the server's base path, while the
  // latter breaks behind a base path such as /kibana.
  const g = "_g=(time:(from:'1970-01-01T00:00:00.000Z',to:now))";
  const a = `_a=(dataSource:(dataViewId:'${dataViewId}',type:dataView),query:(language:kuery,query:'salvage.record_id:"{{value}}"'),sort:!(!('@timestamp',asc)))`;
  return `../app/discover#/?${g}&${a}`;
}

interface FieldFormat {
  id: string;
  params: Record<string, unknown>;
}

function urlFormat(urlTemplate: string, labelTemplate: string): FieldFormat {
  // {{value}} is URI-encoded by the format; the link opens in a new tab, keeping the list.
  return { id: 'url', params: { type: 'a', urlTemplate, labelTemplate } };
}

/** The formats both views share: yuan with two decimals, confidence as a percentage. */
const RECORD_FORMATS: Record<string, FieldFormat> = {
  'salvage.amount': { id: 'number', params: { pattern: '0,0.00' } },
  'salvage.confidence': { id: 'percent', params: { pattern: '0.[0]%' } },
};

function dataView(id: string, title: string, name: string, formats: Record<string, FieldFormat>, labels: Record<string, string>): SavedObject {
  const fieldAttrs = Object.fromEntries(Object.entries(labels).map(([f, customLabel]) => [f, { customLabel }]));
  return savedObject(
    'index-pattern',
    id,
    {
      title,
      name,
      timeFieldName: '@timestamp',
      fieldFormatMap: JSON.stringify(formats),
      fieldAttrs: JSON.stringify(fieldAttrs),
      runtimeFieldMap: '{}',
      sourceFilters: '[]',
      typeMeta: '{}',
    },
    [],
  );
}

/** Records: a click on the record id opens its evidence lines. */
export function transactionsDataView(n: AssetNames): SavedObject {
  return dataView(
    n.transactionsView.id,
    n.transactionsView.title,
    'salvage: recovered orders / 恢复的订单',
    { ...RECORD_FORMATS, 'salvage.record_id': urlFormat(discoverByRecordUrl(n.evidenceView.id), 'evidence lines of {{value}} / 证据行') },
    { 'salvage.record_id': 'record → evidence / 记录 → 证据', 'salvage.order.id': 'order no. / 订单号' },
  );
}

/** Evidence lines: a click on the record id goes back to the record. */
export function evidenceDataView(n: AssetNames): SavedObject {
  return dataView(
    n.evidenceView.id,
    n.evidenceView.title,
    'salvage: evidence lines / 证据行',
    { ...RECORD_FORMATS, 'salvage.record_id': urlFormat(discoverByRecordUrl(n.transactionsView.id), 'record {{value}} / 记录') },
    { 'salvage.record_id': 'evidence → record / 证据 → 记录', 'salvage.evidence.line': 'line / 行号', 'log.offset': 'byte offset / 字节偏移' },
  );
}

/** The run: its report's counts and accounting, and one document per coverage hole. */
export function runsDataView(n: AssetNames): SavedObject {
  return dataView(n.runsView.id, n.runsView.title, 'salvage: run and coverage holes / 运行与日志缺口', {}, { 'salvage.run.unjoined': 'evidence joined to no order / 未关联的证据', 'salvage.gap.hours': 'silent hours / 静默小时数' });
}
