import { randomFillSync } from 'node:crypto';
import { V7Generator } from 'uuidv7';

/**
 * UUIDv7 for bulk imports: the `uuidv7` package's generator (monotonic, so ids made in file order
 * sort in file order), fed from a 16 KiB buffer of crypto random numbers refilled when used up,
 * where its default source asks the crypto API every 8 numbers: a million ids cost a quarter of the
 * random-number calls they did.
 */
class BufferedRandom {
  private readonly buffer = new Uint32Array(4096);
  private cursor = this.buffer.length;

  nextUint32(): number {
    if (this.cursor >= this.buffer.length) {
      randomFillSync(this.buffer);
      this.cursor = 0;
    }
    return this.buffer[this.cursor++]!;
  }
}

const generator = new V7Generator(new BufferedRandom());

const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Where each byte's two hex digits go in the 36-character text (8-4-4-4-12). */
const DIGIT_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const text = Buffer.alloc(36, '-'.charCodeAt(0));

/**
 * A new UUIDv7 in its canonical text form, written as one flat string: the package's `toString`
 * appends a character at a time, and the resulting chain of 36 string pieces is flattened again
 * each time the id is copied into COPY text.
 */
export function newId(): string {
  const bytes = generator.generate().bytes;
  for (let i = 0; i < 16; i++) {
    const b = bytes[i]!;
    const at = DIGIT_AT[i]!;
    text[at] = HEX[b >>> 4]!;
    text[at + 1] = HEX[b & 15]!;
  }
  return text.toString('latin1', 0, 36);
}
