/**
 * A hash index from a string key to item numbers, for a million documents without a million-entry
 * Map of strings: items are chained through typed arrays, each with its key's full hash, and a
 * lookup re-derives a candidate's key (to rule out a collision) only when the hashes agree.
 * Memory: about 12 bytes per item plus 4 per slot.
 */
export class KeyIndex {
  private readonly heads: Int32Array;
  private readonly next: Int32Array;
  private readonly hashes: Uint32Array;
  private readonly mask: number;

  constructor(
    itemCount: number,
    private readonly keyOf: (item: number) => string,
  ) {
    let slots = 16;
    while (slots < itemCount * 2) slots *= 2;
    this.mask = slots - 1;
    this.heads = new Int32Array(slots).fill(-1);
    this.next = new Int32Array(Math.max(itemCount, 1)).fill(-1);
    this.hashes = new Uint32Array(Math.max(itemCount, 1));
    for (let item = 0; item < itemCount; item++) {
      const key = keyOf(item);
      if (key === '') continue;
      const hash = hashString(key);
      const slot = hash & this.mask;
      this.hashes[item] = hash;
      this.next[item] = this.heads[slot]!;
      this.heads[slot] = item;
    }
  }

  /** Every item whose key equals `key`, in no particular order. */
  lookup(key: string): number[] {
    if (key === '') return [];
    const found: number[] = [];
    const hash = hashString(key);
    for (let item = this.heads[hash & this.mask]!; item >= 0; item = this.next[item]!) {
      if (this.hashes[item] === hash && this.keyOf(item) === key) found.push(item);
    }
    return found;
  }
}

/** FNV-1a over UTF-16 code units. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
