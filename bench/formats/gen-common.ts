/** What the generators share: where their text goes, and a deterministic random source. */

/** Receives the generated file a chunk at a time. */
export type Write = (chunk: string) => Promise<void> | void;

/**
 * A linear congruential generator, so that every run produces the same file. `int` takes the low
 * bits by default, as the first generators did (their files, and so their figures, stay the same);
 * `high` takes the high bits, whose cycle is long (an LCG's bit 0 alternates).
 */
export class Random {
  private state: number;
  constructor(
    seed: number,
    private readonly bits: 'low' | 'high' = 'low',
  ) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return this.state;
  }
  int(maxExclusive: number): number {
    const value = this.next();
    return this.bits === 'high' ? Math.floor((value / 2 ** 32) * maxExclusive) : value % maxExclusive;
  }
}
