import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * A mapping file tells how another system's export maps onto the canonical columns: which source
 * column holds each canonical field, fixed values, and how its dates and numbers are written.
 */
export const ImportMappingSchema = z.strictObject({
  columns: z.record(z.string(), z.string()).default({}),
  constants: z.record(z.string(), z.string()).default({}),
  date_format: z
    .enum(['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'YYYYMMDD'])
    .default('YYYY-MM-DD'),
  decimal_separator: z.enum(['.', ',']).default('.'),
  delimiter: z.string().min(1).max(1).optional(),
  sheet: z.string().optional(),
  skip_rows: z.number().int().min(0).max(1000).default(0),
});

export type ImportMapping = z.infer<typeof ImportMappingSchema>;

export const DEFAULT_MAPPING: ImportMapping = ImportMappingSchema.parse({});

export class MappingError extends Error {
  override name = 'MappingError';
}

export function loadImportMapping(path: string): ImportMapping {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MappingError(`${path}: not a readable JSON mapping file: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = ImportMappingSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new MappingError(`${path}: invalid mapping: ${issues}`);
  }
  return parsed.data;
}

/** Rewrites a source row into canonical field names (canonical names pass through unmapped). */
export function applyMapping(mapping: ImportMapping, row: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...row };
  for (const [canonical, source] of Object.entries(mapping.columns)) out[canonical] = row[source] ?? '';
  for (const [canonical, value] of Object.entries(mapping.constants)) out[canonical] = value;
  return out;
}
