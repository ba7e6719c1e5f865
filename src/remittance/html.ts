/**
 * HTML email bodies as text for the extractor: paragraphs stay lines, and every data table row becomes
 * one pipe-separated line ("| INV-1043 | 03/01/2024 | 1,200.00 |"), colspans expanded so amounts stay
 * under their headers. Tables used for page layout (a table that holds other tables) are walked as
 * blocks instead, so their inner tables are read as tables.
 */
import { convert, type DomNode, type FormatCallback } from 'html-to-text';

export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'table', format: 'remittanceTable' },
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'h4', options: { uppercase: false } },
    ],
    formatters: { remittanceTable: formatTable },
  });
}

const formatTable: FormatCallback = (elem, walk, builder) => {
  if (containsTable(elem)) {
    forEachCell(elem, (cell) => {
      builder.openBlock({ leadingLineBreaks: 1 });
      walk(cell.children, builder);
      builder.closeBlock({ trailingLineBreaks: 1 });
    });
    return;
  }
  builder.openTable();
  forEachRow(elem, (row) => {
    builder.openTableRow();
    for (const cell of row.children) {
      if (cell.type !== 'tag' || (cell.name !== 'td' && cell.name !== 'th')) continue;
      builder.openTableCell({ maxColumnWidth: 400 });
      walk(cell.children, builder);
      builder.closeTableCell({ colspan: span(cell, 'colspan'), rowspan: 1 });
    }
    builder.closeTableRow();
  });
  builder.closeTable({ tableToString: pipeRows, leadingLineBreaks: 1, trailingLineBreaks: 1 });
};

function pipeRows(rows: { colspan: number; text: string }[][]): string {
  return rows
    .map((cells) => {
      const texts = cells.flatMap((c) => [
        c.text.replace(/\s*\n\s*/g, ' ').trim(),
        ...new Array<string>(Math.max(0, c.colspan - 1)).fill(''),
      ]);
      return texts.some((t) => t !== '') ? `| ${texts.join(' | ')} |` : '';
    })
    .filter((line) => line !== '')
    .join('\n');
}

function span(cell: DomNode, name: string): number {
  const value = Number.parseInt(String(cell.attribs?.[name] ?? '1'), 10);
  return Number.isFinite(value) && value > 0 && value < 50 ? value : 1;
}

function containsTable(elem: DomNode): boolean {
  return (elem.children ?? []).some((c) => c.type === 'tag' && (c.name === 'table' || containsTable(c)));
}

function forEachRow(elem: DomNode, visit: (row: DomNode) => void): void {
  for (const child of elem.children ?? []) {
    if (child.type !== 'tag') continue;
    if (child.name === 'tr') visit(child);
    else if (child.name === 'thead' || child.name === 'tbody' || child.name === 'tfoot')
      forEachRow(child, visit);
  }
}

function forEachCell(elem: DomNode, visit: (cell: DomNode) => void): void {
  forEachRow(elem, (row) => {
    for (const cell of row.children ?? [])
      if (cell.type === 'tag' && (cell.name === 'td' || cell.name === 'th')) visit(cell);
  });
}
