import { savedObject, type AssetNames, type Reference, type SavedObject } from './saved-object';

// The dashboard (type "dashboard"). Its panels are by reference: each names its visualization or
// saved search through `panelRefName`, resolved by the reference `<panelIndex>:panel_<panelIndex>`
// (the form Kibana's own 8.x exports take).

export interface Panel {
  /** The lens or search object shown. */
  object: SavedObject;
  x: number;
  y: number;
  w: number;
  h: number;
}

export function dashboard(n: AssetNames, panels: Panel[]): SavedObject {
  const refs: Reference[] = [];
  const panelsJSON = panels.map((p, i) => {
    const panelIndex = `p${i + 1}`;
    refs.push({ name: `${panelIndex}:panel_${panelIndex}`, type: p.object.type, id: p.object.id });
    return {
      type: p.object.type,
      panelIndex,
      gridData: { x: p.x, y: p.y, w: p.w, h: p.h, i: panelIndex },
      embeddableConfig: { enhancements: {} },
      panelRefName: `panel_${panelIndex}`,
    };
  });
  return savedObject(
    'dashboard',
    `${n.prefix}-dashboard`,
    {
      title: 'salvage: recovered orders / 订单恢复总览',
      description: 'Recovered orders, amounts, confidence, evidence coverage and its holes, unjoined evidence and the review queue of the current run (the aliases); set the time picker to the incident window. / 当前运行的恢复结果，请将时间范围设为事故时段。',
      panelsJSON: JSON.stringify(panels.length ? panelsJSON : []),
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, syncCursor: true, syncTooltips: false, hidePanelTitles: false }),
      // Recovered orders are historical: the dashboard keeps the analyst's time range.
      timeRestore: false,
      version: 1,
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }) },
    },
    refs,
  );
}
