/** One CSV line for PostgreSQL's COPY (FORMAT csv): null is an unquoted empty field, text is quoted. */
export function copyLine(values: readonly (string | number | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (typeof v === 'number') line += String(v);
    else line += `"${v.includes('"') ? v.replaceAll('"', '""') : v}"`;
  }
  return `${line}\n`;
}
