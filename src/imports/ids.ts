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

/** A new UUIDv7 in its canonical text form. */
export function newId(): string {
  return generator.generate().toString();
}
