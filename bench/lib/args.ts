/**
 * Command-line flags for the bench scripts, over `node:util`'s parseArgs: each script declares its
 * flags (name → { type: 'string' | 'boolean', default?, multiple? }) and converts the strings with
 * the helpers below. Both `--flag value` and `--flag=value` are accepted; there is no automatic
 * negation (declare `no-unapply` as a boolean of its own). No positionals: a script with a leading
 * mode word takes it off argv before calling parseFlags.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * The values of the declared flags (strict: a missing value, a value given to a boolean, an unknown
 * flag or a stray word is an error). `hint` follows the unknown argument in the message, e.g. a usage line.
 */
export function parseFlags<const O extends Options>(argv: readonly string[], options: O, hint?: string) {
  // A first, lenient pass only to name an unknown argument the way the scripts always have.
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    const unknown =
      token.kind === 'option'
        ? Object.hasOwn(options, token.name)
          ? null
          : token.rawName
        : token.kind === 'positional'
          ? token.value
          : '--';
    if (unknown !== null) throw new Error(`unknown argument ${unknown}${hint ? `; ${hint}` : ''}`);
  }
  return parseArgs({ args: argv, options, strict: true }).values;
}

/** `--pg URL`: the PostgreSQL server for scratch and bench databases (the tests' by default). */
export const PG_FLAG = {
  type: 'string',
  default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
} as const;

function whole(text: string): number {
  return Number(text.replaceAll('_', ''));
}

/** A whole number > 0, `_` separators allowed (`10_000_000`). */
export function positive(flag: string, text: string): number {
  const n = whole(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag} takes a positive whole number`);
  return n;
}

/** A whole number ≥ 0, `_` separators allowed. */
export function nonNegative(flag: string, text: string): number {
  const n = whole(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} takes a whole number, 0 or more`);
  return n;
}

/** `a,b,c` → ['a', 'b', 'c'] (`''` → `['']`, as String.split has it). */
export function list(text: string): string[] {
  return text.split(',');
}

/** One of `allowed`; the error names them: `--engine takes pglite or postgres`. */
export function oneOf<const V extends string>(flag: string, text: string, allowed: readonly V[]): V {
  const found = allowed.find((v) => v === text);
  if (found === undefined) {
    const names = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : allowed[0];
    throw new Error(`${flag} takes ${names}`);
  }
  return found;
}
