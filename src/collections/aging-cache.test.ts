import { describe, expect, it } from 'vitest';
import { cachedPivots } from './aging-cache.js';
import { CollectionsError } from './core/errors.js';

const read = (texts: string[], codeCount = 2) => {
  const counted = { groups: 0 };
  const groups = [
    ...cachedPivots(
      texts.map((groups) => ({ groups })),
      codeCount,
      counted,
    ),
  ];
  return { groups, counted: counted.groups };
};

describe('cachedPivots', () => {
  it('gives the groups of every batch in order, counted', () => {
    const usd = '["k1","A","Alpha","USD",[1,2],null,1,0,null]';
    const eur = '["k2","B","Beta","EUR",[3,-4],[5,-6],2,1,1]';
    const none = '[null,null,null,"USD",[0,-7],null,1,0,null]';
    const { groups, counted } = read([`[${usd},${eur}]`, `[${none}]`, '[]']);
    expect(groups).toEqual([
      ['k1', 'A', 'Alpha', 'USD', [1, 2], null, 1, 0, null],
      ['k2', 'B', 'Beta', 'EUR', [3, -4], [5, -6], 2, 1, 1],
      [null, null, null, 'USD', [0, -7], null, 1, 0, null],
    ]);
    expect(counted).toBe(3);
  });

  it('refuses a group that is not a pivot of safe integers', () => {
    for (const bad of [
      '{"k":1}',
      '[["k1","A","Alpha","USD",[1,2,3],null,1,0,null]]',
      '[["k1","A","Alpha","USD",[1,2.5],null,1,0,null]]',
      // Beyond 2^53 JSON.parse rounds silently: the check is what catches it.
      '[["k1","A","Alpha","USD",[9007199254740993,0],null,1,0,null]]',
      '[["k1","A","Alpha","USD",[1,2],[1,2],1,0,null]]',
      '[["k1","A","Alpha","USD",[1,2],null,1,0,7]]',
      '[[1,"A","Alpha","USD",[1,2],null,1,0,null]]',
      '[["k1","A","Alpha","USD",[1,2],null,"1",0,null]]',
    ]) {
      expect(() => read([bad]), bad).toThrow(CollectionsError);
    }
  });
});
