/**
 * Finds the invoice tables in remittance text: pipe-separated rows (what HTML tables are turned into,
 * and what people type), tab-separated rows (pasted from a spreadsheet), and columns aligned with
 * spaces (plain-text emails, PDF text layers). A table starts at a header whose cells name a document
 * column and at least one money column; its rows are the lines that follow in the same layout.
 */

export type ColumnKind =
  | 'document'
  | 'reference'
  | 'payref'
  | 'date'
  | 'invoiced'
  | 'discount'
  | 'deduction'
  | 'paid'
  | 'amount'
  | 'reason'
  | 'description'
  | 'po'
  | 'currency'
  | 'doctype'
  | 'balance'
  | 'other';

export interface TableRow {
  /** One cell per header column ('' when the row has nothing there). */
  cells: string[];
  /** 0-based line index in the text. */
  line: number;
  /** Text written to the right of the last column, under no header ("Deduction: ITEM NOT RECEIVED"). */
  remark?: string;
}

export interface TextTable {
  headers: string[];
  kinds: ColumnKind[];
  /** An ISO code a header names ("Amount (EUR)"), per column. */
  headerCurrencies: (string | null)[];
  rows: TableRow[];
  firstLine: number;
  lastLine: number;
}

interface Cell {
  text: string;
  start: number;
  end: number;
}

type Layout = 'pipe' | 'tab' | 'space';

interface SplitLine {
  layout: Layout;
  cells: Cell[];
}

const MONEY_KINDS: ReadonlySet<ColumnKind> = new Set(['invoiced', 'discount', 'deduction', 'paid', 'amount']);

/** Header words, tried in order: the first rule that matches names the column. */
const HEADER_RULES: ReadonlyArray<readonly [ColumnKind, RegExp]> = [
  ['payref', /\b(?:payment|check|cheque|chk|trace|wire)\s+(?:ref|reference|no|nr|number|num|#|id)\b/],
  ['date', /\b(?:date|dated|datum|fecha)\b|datum$/],
  ['reason', /\breason\b|\b(?:deduction|deduct|adj|adjustment|dispute|short\s*pay)\s+(?:code|type)\b/],
  ['description', /\b(?:description|desc|comments?|remarks?|memo|notes?|details?|explanation)\b/],
  ['currency', /^(?:currency|ccy|cur|curr|currency code)$/],
  ['po', /\b(?:po|p o|purchase\s+order|order\s+(?:no|nr|number|#))\b|^po\s*#/],
  ['doctype', /^(?:type|doc\s+type|document\s+type|trans\s+type|transaction\s+type)$/],
  ['discount', /\b(?:discount|discounts|disc|cash\s+disc|skonto|korting|escompte|descuento)\b/],
  [
    'deduction',
    /\b(?:deductions?|deducted|deduct|adjustments?|adj|short\s*pay(?:ment)?|short\s*paid|short|chargebacks?|charge\s+back|withh[eo]ld(?:ing)?(?:\s+tax)?|allowances?|less|abzug|k(?:ü|ue)rzung|inhouding)\b/,
  ],
  ['balance', /\b(?:balance|remaining)\b/],
  [
    'paid',
    /\b(?:paid|payment|remitted|remittance|applied|net|pay\s+amount|amount\s+to\s+pay|zahlbetrag|gezahlt|bezahlt|betaald|pay(?:é|e)|pagado)\b/,
  ],
  [
    'invoiced',
    /\b(?:gross|original|invoiced|billed|due|face)\b|\b(?:invoice|inv|document|doc)\s+(?:amount|amt|total|value)\b|\bopen\s+amount\b/,
  ],
  ['amount', /\b(?:amount|amt|total|value|sum|betrag|montant|importe)\b/],
  [
    'document',
    /\b(?:invoice|invoices|inv|document|doc|bill|voucher|credit\s+memo|cm|rechnung\w*|rg|beleg\w*|factuur\w*|facture|factura)\b|^(?:#|no|nr|number|invoice\s*#|n)$/,
  ],
  ['reference', /\b(?:reference|ref|your\s+ref|our\s+ref)\b/],
];

/** The kind of column a header cell names, or null when the text is not a header word. */
export function classifyHeader(cell: string): ColumnKind | null {
  const text = normalizeHeader(cell);
  if (text === '' || /\d{2}/.test(text)) return null;
  for (const [kind, pattern] of HEADER_RULES) if (pattern.test(text)) return kind;
  return null;
}

function normalizeHeader(cell: string): string {
  return cell
    .toLowerCase()
    .replace(/\bp\.o\./g, 'po')
    .replace(/\bno\./g, 'no')
    .replace(/[^a-z0-9#]+/g, ' ')
    .trim();
}

const HEADER_CURRENCY =
  /\b(USD|EUR|GBP|CAD|AUD|CHF|JPY|SEK|NOK|DKK|PLN|MXN|INR|NZD|CNY|HKD|SGD|ZAR|BRL)\b|([$€£])/i;

function headerCurrency(cell: string): string | null {
  const match = HEADER_CURRENCY.exec(cell);
  if (match === null) return null;
  if (match[1]) return match[1].toUpperCase();
  return match[2] === '€' ? 'EUR' : match[2] === '£' ? 'GBP' : null;
}

export function splitLine(line: string): SplitLine {
  if ((line.match(/\|/g) ?? []).length >= 2) return { layout: 'pipe', cells: splitOn(line, /\|/g, true) };
  if (line.includes('\t')) return { layout: 'tab', cells: splitOn(line, /\t/g, false) };
  return { layout: 'space', cells: splitOn(line, / {2,}|\u00a0{2,}/g, false).filter((c) => c.text !== '') };
}

function splitOn(line: string, separator: RegExp, trimEdges: boolean): Cell[] {
  const cells: Cell[] = [];
  let from = 0;
  for (const match of line.matchAll(separator)) {
    cells.push(cellAt(line, from, match.index ?? 0));
    from = (match.index ?? 0) + match[0].length;
  }
  cells.push(cellAt(line, from, line.length));
  if (trimEdges) {
    if (cells.length > 0 && cells[0]!.text === '') cells.shift();
    if (cells.length > 0 && cells[cells.length - 1]!.text === '') cells.pop();
  }
  return cells;
}

function cellAt(line: string, start: number, end: number): Cell {
  const raw = line.slice(start, end);
  const lead = raw.length - raw.trimStart().length;
  const text = raw.trim();
  return { text, start: start + lead, end: start + lead + text.length };
}

function isRuleLine(line: string): boolean {
  return /^[\s|:+=_-]*$/.test(line) && /[-=_]{3,}/.test(line);
}

interface Header {
  layout: Layout;
  cells: Cell[];
  kinds: ColumnKind[];
  /** Lines the header takes (2 when its words wrap onto a second line). */
  height: number;
}

function headerAt(lines: readonly string[], i: number): Header | null {
  const split = splitLine(lines[i]!);
  const single = asHeader(split, 1);
  if (single !== null) return single;
  // Two-line headers ("Invoice    Amount" over "Number     Paid"), aligned layouts only.
  const next = lines[i + 1];
  if (split.layout !== 'space' || next === undefined || /\d/.test(lines[i]!) || /\d/.test(next)) return null;
  const below = splitLine(next);
  if (below.layout !== 'space' || below.cells.length === 0) return null;
  // "Payee:   Acme Inc." above a complete header is a label, not the header's first line.
  if (/:\s/.test(lines[i]!) || asHeader(below, 1) !== null) return null;
  const merged = split.cells.map((c) => ({ ...c }));
  for (const cell of below.cells) {
    const target = bestColumn(cell, merged);
    if (target >= 0 && overlap(cell, merged[target]!) > 0) {
      const t = merged[target]!;
      t.text = `${t.text} ${cell.text}`;
      t.start = Math.min(t.start, cell.start);
      t.end = Math.max(t.end, cell.end);
    } else {
      merged.push({ ...cell });
    }
  }
  merged.sort((a, b) => a.start - b.start);
  return asHeader({ layout: 'space', cells: merged }, 2);
}

function asHeader(split: SplitLine, height: number): Header | null {
  const cells = split.cells;
  if (cells.length < 2) return null;
  const kinds = cells.map((c) => classifyHeader(c.text));
  const known = kinds.filter((k) => k !== null).length;
  if (known < Math.max(2, cells.length - 1)) return null;
  const resolved = kinds.map((k) => k ?? 'other');
  if (!resolved.includes('document') && !resolved.includes('reference')) return null;
  if (!resolved.some((k) => MONEY_KINDS.has(k))) return null;
  return {
    layout: split.layout,
    cells,
    kinds: resolveKinds(
      resolved,
      cells.map((c) => normalizeHeader(c.text)),
    ),
    height,
  };
}

/** "Your Reference", "Your Invoice No.", "Vendor Invoice": the payer's ERP naming OUR document number. */
const OUR_NUMBER =
  /\byour\s+(?:ref|reference|invoice|inv|doc|document|bill)\b|\b(?:vendor|supplier|external)\s+(?:invoice|inv|ref|reference|doc|document)\b/;

/**
 * A lone "Amount" column is what was paid; next to a "Paid" column it is the invoice amount. A
 * "Reference" column is the document number only when no invoice column is there, or when it says it
 * holds our number ("Your Reference").
 */
function resolveKinds(kinds: ColumnKind[], headers: readonly string[]): ColumnKind[] {
  const out = [...kinds];
  const firstIndex = (kind: ColumnKind) => out.indexOf(kind);
  // A payer's own document number ("Document", "Doc No") next to our number ("Your Reference") is only a reference.
  const ours = headers.findIndex(
    (h, k) => OUR_NUMBER.test(h) && (out[k] === 'document' || out[k] === 'reference'),
  );
  if (ours >= 0) {
    for (let k = 0; k < out.length; k++) if (out[k] === 'document' && k !== ours) out[k] = 'reference';
    out[ours] = 'document';
  }
  const reference = firstIndex('reference');
  if (firstIndex('document') < 0 && reference >= 0) out[reference] = 'document';
  for (let i = 0; i < out.length; i++) {
    if (out[i] !== 'amount') continue;
    if (firstIndex('paid') < 0) out[i] = 'paid';
    else if (firstIndex('invoiced') < 0) out[i] = 'invoiced';
    else out[i] = 'other';
  }
  // Only the first column of each kind is read; a second "Invoice #" column is kept as other.
  const seen = new Set<ColumnKind>();
  return out.map((k) => {
    if (k === 'other' || k === 'description') return k;
    if (seen.has(k)) return 'other';
    seen.add(k);
    return k;
  });
}

/** Every table in the text, in order; a line belongs to at most one table. */
export function findTables(lines: readonly string[]): TextTable[] {
  const tables: TextTable[] = [];
  for (let i = 0; i < lines.length; i++) {
    const header = headerAt(lines, i);
    if (header === null) continue;
    const table = readRows(lines, i, header);
    tables.push(table);
    i = table.lastLine;
  }
  return tables;
}

function readRows(lines: readonly string[], headerLine: number, header: Header): TextTable {
  const rows: TableRow[] = [];
  let last = headerLine + header.height - 1;
  for (let i = last + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (isRuleLine(line)) {
      last = i;
      continue;
    }
    if (line.trim() === '') {
      // One blank line inside a table (before a total row, say) does not end it.
      const next = lines[i + 1];
      if (next !== undefined && next.trim() !== '' && continuesTable(splitLine(next), header)) continue;
      break;
    }
    const split = splitLine(line);
    if (!continuesTable(split, header)) break;
    const remark = remarkOf(split, header);
    const placed = remark === null ? split : { ...split, cells: split.cells.slice(0, -1) };
    rows.push({ cells: placeCells(placed, header), line: i, ...(remark === null ? {} : { remark }) });
    last = i;
  }
  return {
    headers: header.cells.map((c) => c.text),
    kinds: header.kinds,
    headerCurrencies: header.cells.map((c) => headerCurrency(c.text)),
    rows,
    firstLine: headerLine,
    lastLine: last,
  };
}

function continuesTable(split: SplitLine, header: Header): boolean {
  if (header.layout === 'pipe') return split.layout === 'pipe';
  if (header.layout === 'tab') return split.layout === 'tab';
  if (split.layout !== 'space') return false;
  if (split.cells.length >= 2) return true;
  // A single cell continues an aligned table only when it is short (a wrapped cell or a lone amount).
  const only = split.cells[0];
  return only !== undefined && only.text.length <= 24 && /\d/.test(only.text);
}

/**
 * An aligned row's last cell when it starts clearly right of the last column (a note after the
 * amounts, "Deduction: ITEM NOT RECEIVED (code 59)"): it is no column's value, so it must not be
 * glued onto the last amount.
 */
function remarkOf(split: SplitLine, header: Header): string | null {
  if (split.layout !== 'space' || header.layout !== 'space' || split.cells.length < 2) return null;
  const last = split.cells[split.cells.length - 1]!;
  const lastColumn = header.cells[header.cells.length - 1]!;
  // Amounts are right-aligned and may start past a short header ("Paid"): a remark has words.
  return last.start > lastColumn.end + 1 && /[A-Za-z]{4,}/.test(last.text) ? last.text : null;
}

/** Puts a row's cells under the header's columns. */
function placeCells(split: SplitLine, header: Header): string[] {
  const width = header.cells.length;
  const out = new Array<string>(width).fill('');
  const cells = split.cells;
  if (header.layout !== 'space') {
    if (cells.length === width) return cells.map((c) => c.text);
    if (cells.length < width) {
      // "| Total | 1,476.00 |": the label goes first, the amounts under the last columns.
      out[0] = cells[0]?.text ?? '';
      const rest = cells.slice(1);
      rest.forEach((c, k) => {
        out[width - rest.length + k] = c.text;
      });
      return out;
    }
    cells.slice(0, width - 1).forEach((c, k) => {
      out[k] = c.text;
    });
    out[width - 1] = cells
      .slice(width - 1)
      .map((c) => c.text)
      .join(' ');
    return out;
  }
  if (cells.length === width) return cells.map((c) => c.text);
  for (const cell of cells) {
    const k = bestColumn(cell, header.cells);
    if (k < 0) continue;
    out[k] = out[k] === '' ? cell.text : `${out[k]} ${cell.text}`;
  }
  return out;
}

function overlap(a: Cell, b: Cell): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/** The column a cell lies under: the most overlap, else the nearest. */
function bestColumn(cell: Cell, columns: readonly Cell[]): number {
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  columns.forEach((column, k) => {
    const shared = overlap(cell, column);
    const distance =
      shared > 0 ? 0 : Math.min(Math.abs(cell.start - column.end), Math.abs(column.start - cell.end));
    const score = shared > 0 ? shared : -distance;
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  });
  return best;
}
