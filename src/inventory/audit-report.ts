import { FINDING_KINDS, type AuditItem, type AuditReport, type Finding } from './audit.ts';

/** The audit report as CSV (one finding a row) and as a page a person can read; JSON is the report itself. */

const CSV_COLUMNS: Array<keyof Finding> = ['kind', 'side', 'sku', 'record', 'field', 'found', 'action'];

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) || /^[=+\-@\t]/.test(v) ? `"${(/^[=+\-@\t]/.test(v) ? `'${v}` : v).replace(/"/g, '""')}"` : v;
}

/** Cells starting with = + - @ are quoted and prefixed: a spreadsheet must not run them as formulas. */
export function auditReportCsv(report: AuditReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const f of report.findings) lines.push(CSV_COLUMNS.map((c) => csvCell(String(f[c]))).join(','));
  return lines.join('\r\n') + '\r\n';
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function auditReportHtml(report: AuditReport, title = 'Go-live data audit'): string {
  const counts = FINDING_KINDS.filter((k) => report.counts[k] > 0)
    .map((k) => `<tr><td><a href="#${k}">${k.replace(/_/g, ' ')}</a></td><td class="n">${report.counts[k]}</td></tr>`).join('');
  const sections = FINDING_KINDS.filter((k) => report.counts[k] > 0).map((k) => {
    const rows = report.findings.filter((f) => f.kind === k).map((f) =>
      `<tr><td>${escapeHtml(f.record)}</td><td><code>${escapeHtml(f.field)}</code></td><td>${escapeHtml(f.found)}</td><td>${escapeHtml(f.action)}</td></tr>`).join('');
    return `<h2 id="${k}">${k.replace(/_/g, ' ')} (${report.counts[k]})</h2><table><thead><tr><th>Record</th><th>Field</th><th>Found</th><th>What to do</th></tr></thead><tbody>${rows}</tbody></table>`;
  }).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}.n{text-align:right}code{font-size:13px}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p>${report.items.erp} ERP items, ${report.items.warehouse} warehouse items: ${report.total === 0 ? 'no findings.' : `${report.total} findings.`}</p>
${report.total ? `<table><thead><tr><th>Kind</th><th>Count</th></tr></thead><tbody>${counts}</tbody></table>` : ''}
${sections}
</body></html>
`;
}

/**
 * An item feed or file: a JSON array or JSON lines of item records (canonical `item` documents
 * or the same fields alone), or CSV with a header row. CSV columns: sku, description, uom (or
 * baseUom), gtin, upc, ean, weight, weight_unit, length, width, height, dimension_unit,
 * lot_tracked, serial_tracked, and conversions as "CS=12;PL=480". Errors name the row and column.
 */
export function parseItemFeed(text: string, name = 'item feed'): AuditItem[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const records: unknown[] = trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.split(/\r?\n/).filter((l) => l.trim()).map((l, i) => {
      try {
        return JSON.parse(l);
      } catch (e) {
        throw new Error(`${name} line ${i + 1}: not JSON: ${(e as Error).message}`);
      }
    });
    return records.map((r, i) => {
      if (!r || typeof r !== 'object' || typeof (r as AuditItem).sku !== 'string') throw new Error(`${name} record ${i + 1}: expected an object with a "sku" string`);
      return r as AuditItem;
    });
  }
  const rows = parseCsv(text);
  const header = (rows.shift() ?? []).map((h) => h.trim().toLowerCase());
  if (!header.includes('sku')) throw new Error(`${name}: the CSV header has no "sku" column`);
  const col = (row: string[], n: string) => {
    const i = header.indexOf(n);
    const v = i < 0 ? undefined : row[i];
    return v === undefined || v === '' ? undefined : v;
  };
  const flag = (row: string[], n: string, at: number) => {
    const v = col(row, n);
    if (v === undefined) return undefined;
    if (/^(1|true|yes|y)$/i.test(v)) return true;
    if (/^(0|false|no|n)$/i.test(v)) return false;
    throw new Error(`${name} row ${at}, column ${n}: expected true or false, found ${JSON.stringify(v)}`);
  };
  return rows.filter((r) => r.some((c) => c !== '')).map((row, i) => {
    const at = i + 2;
    const item: AuditItem = { sku: row[header.indexOf('sku')] ?? '' };
    const set = <K extends keyof AuditItem>(k: K, v: AuditItem[K] | undefined) => { if (v !== undefined) item[k] = v; };
    set('description', col(row, 'description'));
    set('baseUom', col(row, 'uom') ?? col(row, 'baseuom'));
    const barcodes = (['gtin', 'upc', 'ean'] as const).flatMap((k) => (col(row, k) ? [{ kind: k.toUpperCase(), value: col(row, k)! }] : []));
    if (barcodes.length) item.barcodes = barcodes;
    const weight = col(row, 'weight');
    if (weight) item.weight = { value: weight, unit: col(row, 'weight_unit') ?? 'KG' };
    const [l, w, h] = [col(row, 'length'), col(row, 'width'), col(row, 'height')];
    if (l && w && h) item.dimensions = { length: l, width: w, height: h, unit: col(row, 'dimension_unit') ?? 'CM' };
    set('lotTracked', flag(row, 'lot_tracked', at));
    set('serialTracked', flag(row, 'serial_tracked', at));
    const conv = col(row, 'conversions');
    if (conv) {
      item.conversions = conv.split(';').map((p) => {
        const m = /^\s*([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(p);
        if (!m) throw new Error(`${name} row ${at}, column conversions: expected UOM=factor, found ${JSON.stringify(p)}`);
        return { uom: m[1], factor: m[2] };
      });
    }
    return item;
  });
}

/** RFC 4180: fields separated by commas, quoted with "", quotes doubled inside. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}
