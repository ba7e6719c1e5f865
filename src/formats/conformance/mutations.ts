/**
 * Byte- and line-level damage applied to valid bank files by the mutation property test
 * (`test/formats-mutation.test.ts`). Positions are plain non-negative integers taken modulo the
 * input's size, so a generator can produce them without knowing the file.
 */

export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip-byte'; at: number; value: number }
  /** Replaces the n-th ASCII digit by another digit: keeps the syntax valid, changes amounts/dates/counts. */
  | { kind: 'change-digit'; nth: number; delta: number }
  | { kind: 'duplicate-line'; line: number }
  | { kind: 'drop-line'; line: number }
  | { kind: 'swap-lines'; a: number; b: number }
  | { kind: 'insert'; at: number; bytes: number[] };

export function applyMutations(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  return mutations.reduce<Uint8Array>((bytes, mutation) => applyMutation(bytes, mutation), input);
}

export function applyMutation(input: Uint8Array, mutation: Mutation): Uint8Array {
  switch (mutation.kind) {
    case 'truncate':
      return input.subarray(0, input.length === 0 ? 0 : mutation.at % input.length);
    case 'flip-byte':
      return flipByte(input, mutation.at, mutation.value);
    case 'change-digit':
      return changeDigit(input, mutation.nth, mutation.delta);
    case 'duplicate-line':
      return editLines(input, (lines) => {
        const i = mutation.line % lines.length;
        lines.splice(i, 0, lines[i]!);
      });
    case 'drop-line':
      return editLines(input, (lines) => {
        lines.splice(mutation.line % lines.length, 1);
      });
    case 'swap-lines':
      return editLines(input, (lines) => {
        const a = mutation.a % lines.length;
        const b = mutation.b % lines.length;
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      });
    case 'insert':
      return insertBytes(input, mutation.at, mutation.bytes);
  }
}

function flipByte(input: Uint8Array, at: number, value: number): Uint8Array {
  if (input.length === 0) return input;
  const out = Uint8Array.from(input);
  const i = at % out.length;
  // Never a no-op: a "flip" to the same byte would test nothing.
  out[i] = value % 256 === out[i] ? (value + 1) % 256 : value % 256;
  return out;
}

function changeDigit(input: Uint8Array, nth: number, delta: number): Uint8Array {
  const positions: number[] = [];
  for (let i = 0; i < input.length; i++) if (input[i]! >= 0x30 && input[i]! <= 0x39) positions.push(i);
  if (positions.length === 0) return input;
  const out = Uint8Array.from(input);
  const i = positions[nth % positions.length]!;
  const step = ((delta % 9) + 9) % 9 || 9;
  out[i] = 0x30 + ((out[i]! - 0x30 + step) % 10);
  return out;
}

function insertBytes(input: Uint8Array, at: number, bytes: readonly number[]): Uint8Array {
  const i = input.length === 0 ? 0 : at % (input.length + 1);
  const out = new Uint8Array(input.length + bytes.length);
  out.set(input.subarray(0, i), 0);
  out.set(bytes, i);
  out.set(input.subarray(i), i + bytes.length);
  return out;
}

/** Splits after each LF (each line keeps its own terminator), edits, and joins again. */
function editLines(input: Uint8Array, edit: (lines: Uint8Array[]) => void): Uint8Array {
  const lines = splitLines(input);
  if (lines.length === 0) return input;
  edit(lines);
  return Buffer.concat(lines);
}

export function splitLines(input: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] === 0x0a) {
      lines.push(input.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < input.length) lines.push(input.subarray(start));
  return lines;
}

export function describeMutations(mutations: readonly Mutation[]): string {
  return mutations
    .map((m) => {
      if (m.kind === 'insert') return `insert@${m.at}[${m.bytes.length} bytes]`;
      const { kind, ...rest } = m;
      return `${kind}(${Object.values(rest).join(',')})`;
    })
    .join(' + ');
}
