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

/**
 * COPY data built line by line as UTF-8 bytes outside the JS heap. A batch of rows kept as strings
 * (or as the objects they came from) lives long enough to be promoted and collected as old
 * objects, which cost an import of a million rows more than all its parsing did; written here, each
 * line dies young.
 */
export class CopyBuffer {
  private bytes: Buffer;
  private length = 0;
  /** Lines not yet written: written a few hundred at a time, one native call for each group. */
  private pending: string[] = [];

  constructor(capacity = 1 << 20) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }

  append(line: string): void {
    this.pending.push(line);
    if (this.pending.length >= 256) this.flush();
  }

  /** The bytes written so far (a view, not a copy). */
  data(): Uint8Array {
    this.flush();
    return this.bytes.subarray(0, this.length);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    // A UTF-16 unit is at most 3 bytes of UTF-8.
    const needed = this.length + text.length * 3;
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    this.length += this.bytes.write(text, this.length, 'utf8');
  }
}
