import { UUID } from 'uuidv7';
import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

describe('newId', () => {
  it('makes canonical UUIDv7 text, the same as the package would print, in increasing order', () => {
    let previous = '';
    for (let i = 0; i < 10_000; i++) {
      const id = newId();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(UUID.parse(id).toString()).toBe(id);
      expect(id > previous).toBe(true);
      previous = id;
    }
  });
});
