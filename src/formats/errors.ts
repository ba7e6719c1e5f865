/**
 * A file that cannot be read. The message names the file, where (line or XML path), the field and
 * what was expected, so an AR clerk can fix the file or tell the bank what is wrong.
 */
export interface ParseErrorLocation {
  file: string;
  line?: number;
  path?: string;
  field?: string;
  expected?: string;
  found?: string;
}

export class ParseError extends Error {
  override name = 'ParseError';
  readonly location: ParseErrorLocation;
  readonly code: string;

  constructor(code: string, location: ParseErrorLocation, detail: string, options?: { cause?: unknown }) {
    super(formatParseMessage(location, detail), options);
    this.code = code;
    this.location = location;
  }
}

function formatParseMessage(loc: ParseErrorLocation, detail: string): string {
  const where = [loc.file, loc.line !== undefined ? `line ${loc.line}` : null, loc.path ?? null]
    .filter((p): p is string => p !== null)
    .join(':');
  const parts = [`${where}: ${detail}`];
  if (loc.field) parts.push(`field ${loc.field}`);
  if (loc.expected) parts.push(`expected ${loc.expected}`);
  if (loc.found !== undefined) parts.push(`found ${JSON.stringify(loc.found)}`);
  return parts.join('; ');
}
