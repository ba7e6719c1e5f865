/**
 * The text layer of a PDF remittance advice, laid out as aligned text. unpdf's `extractText` joins a
 * table row's cells with single spaces, which loses empty cells ("300.00 300.00": which column is
 * empty?); here every text item is placed at the column its x position gives, so the table reader
 * sees the same alignment a person does. A scanned PDF (no text layer) gives an empty string.
 */
import { extractTextItems, getDocumentProxy } from 'unpdf';

interface Item {
  str: string;
  x: number;
  y: number;
  width: number;
  fontSize: number;
}

export async function pdfToText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  try {
    const { items } = await extractTextItems(pdf);
    return items.map((page) => layoutPage(page)).join('\n\n');
  } finally {
    await pdf.destroy();
  }
}

/** Groups a page's items into lines by baseline (top to bottom) and places them by x. */
export function layoutPage(raw: readonly Item[]): string {
  const items = raw.filter((i) => i.str.trim() !== '');
  if (items.length === 0) return '';
  const sizes = items.map((i) => i.fontSize).sort((a, b) => a - b);
  const charWidth = Math.max(1, (sizes[Math.floor(sizes.length / 2)] ?? 10) * 0.5);
  const lines: Item[][] = [];
  for (const item of [...items].sort((a, b) => b.y - a.y || a.x - b.x)) {
    const line = lines.find((l) => Math.abs(l[0]!.y - item.y) <= Math.max(2, item.fontSize * 0.4));
    if (line) line.push(item);
    else lines.push([item]);
  }
  return lines
    .sort((a, b) => b[0]!.y - a[0]!.y)
    .map((line) =>
      renderLine(
        line.sort((a, b) => a.x - b.x),
        charWidth,
      ),
    )
    .join('\n');
}

function renderLine(items: readonly Item[], charWidth: number): string {
  let text = '';
  let previousEnd = Number.NEGATIVE_INFINITY;
  for (const item of items) {
    const column = Math.round(item.x / charWidth);
    const gap = item.x - previousEnd;
    if (text === '') text = ' '.repeat(column);
    else if (column > text.length + 1 && gap > charWidth * 1.5) text = text.padEnd(column, ' ');
    else if (gap > charWidth * 1.5) text += '  ';
    else if (gap > charWidth * 0.2) text += ' ';
    text += item.str.trim();
    previousEnd = item.x + item.width;
  }
  return text.trimEnd();
}
