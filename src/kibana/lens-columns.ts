// Lens "formBased" columns (the datasource state Lens saves since 8.6), one builder per
// operation. Column ids are fixed strings rather than uuids, so the generated file is the same
// on every run and a diff shows what changed.

export interface LensColumn {
  label: string;
  customLabel?: boolean;
  dataType: 'date' | 'number' | 'string' | 'ip' | 'boolean';
  operationType: string;
  sourceField: string;
  isBucketed: boolean;
  scale: 'interval' | 'ratio' | 'ordinal';
  params?: Record<string, unknown>;
}

/** The pseudo field Lens counts documents with. */
export const RECORDS_FIELD = '___records___';

export function perHour(field = '@timestamp'): LensColumn {
  // includeEmptyRows: an hour with nothing is drawn as nothing, not skipped, so holes show.
  return { label: field, dataType: 'date', operationType: 'date_histogram', sourceField: field, isBucketed: true, scale: 'interval', params: { interval: '1h', includeEmptyRows: true, dropPartials: false } };
}

export function count(label: string): LensColumn {
  return { label, customLabel: true, dataType: 'number', operationType: 'count', sourceField: RECORDS_FIELD, isBucketed: false, scale: 'ratio', params: { emptyAsNull: true } };
}

export function metric(op: 'sum' | 'max' | 'min' | 'average' | 'unique_count', field: string, label: string): LensColumn {
  return { label, customLabel: true, dataType: 'number', operationType: op, sourceField: field, isBucketed: false, scale: 'ratio', params: { emptyAsNull: true } };
}

/** Top values of `field` (and of `also`, as one combined key), ordered by the column `orderBy`. */
export function topValues(field: string, size: number, orderBy: string, label: string, also: string[] = []): LensColumn {
  return {
    label,
    customLabel: true,
    dataType: 'string',
    operationType: 'terms',
    sourceField: field,
    isBucketed: true,
    scale: 'ordinal',
    params: {
      size,
      orderBy: { type: 'column', columnId: orderBy },
      orderDirection: 'desc',
      otherBucket: true,
      // Lens offers no missing bucket for combined keys.
      missingBucket: also.length === 0,
      parentFormat: { id: also.length ? 'multi_terms' : 'terms' },
      ...(also.length ? { secondaryFields: also } : {}),
      include: [],
      exclude: [],
      includeIsRegex: false,
      excludeIsRegex: false,
    },
  };
}

/** A histogram of a numeric field, at most `maxBars` bars. */
export function histogram(field: string, label: string, maxBars: number): LensColumn {
  return { label, customLabel: true, dataType: 'number', operationType: 'range', sourceField: field, isBucketed: true, scale: 'interval', params: { type: 'histogram', ranges: [{ from: 0, to: 1000, label: '' }], maxBars, includeEmptyRows: true } };
}

/** Fields a column makes Elasticsearch aggregate on (the record count names none). */
export function aggregatedFields(c: LensColumn): string[] {
  const also = (c.params?.secondaryFields as string[] | undefined) ?? [];
  return [...(c.sourceField === RECORDS_FIELD ? [] : [c.sourceField]), ...also];
}
