import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetOfBytes, FieldDecoder, guessCharset, utf8FromLatin1 } from './charset.js';

const latin1 = (text: string, encoding: 'utf8' | 'latin1' = 'utf8') =>
  Buffer.from(text, encoding).toString('latin1');

describe('charset guessing', () => {
  it('reads BOMs, UTF-16 NUL patterns and UTF-8 validity', () => {
    expect(guessCharset(Buffer.from('\ufeffDate;Betrag', 'utf8'))).toEqual({
      charset: 'utf-8',
      bomLength: 3,
    });
    expect(guessCharset(iconv.encode('Date;Betrag', 'utf-16le', { addBOM: true }))).toEqual({
      charset: 'utf-16le',
      bomLength: 2,
    });
    expect(guessCharset(iconv.encode('Date;Betrag\n', 'utf-16le'))).toEqual({
      charset: 'utf-16le',
      bomLength: 0,
    });
    expect(guessCharset(iconv.encode('Date;Betrag\n', 'utf-16be'))).toEqual({
      charset: 'utf-16be',
      bomLength: 0,
    });
    expect(charsetOfBytes(Buffer.from('Währung', 'utf8'))).toBe('utf-8');
    expect(charsetOfBytes(iconv.encode('Währung', 'windows-1252'))).toBe('windows-1252');
    expect(charsetOfBytes(Buffer.from('plain'))).toBeNull();
    // A multi-byte character cut at the end of the head does not make the file latin1.
    expect(charsetOfBytes(Buffer.from('Währung €', 'utf8').subarray(0, -1))).toBe('utf-8');
  });
});

describe('FieldDecoder', () => {
  it('decides the charset at the first non-ASCII field', () => {
    const utf8 = new FieldDecoder(null);
    expect(utf8.decode('plain')).toBe('plain');
    expect(utf8.decided).toBeNull();
    expect(utf8.decode(latin1('Müller'))).toBe('Müller');
    expect(utf8.decided).toBe('utf-8');
    const cp1252 = new FieldDecoder(null);
    expect(cp1252.decode(iconv.encode('Müller – 5 €', 'windows-1252').toString('latin1'))).toBe(
      'Müller – 5 €',
    );
    expect(cp1252.decided).toBe('windows-1252');
    expect(
      new FieldDecoder('iso-8859-15').decode(iconv.encode('5 €', 'iso-8859-15').toString('latin1')),
    ).toBe('5 €');
  });

  it('rebuilds UTF-8 from latin1-read bytes exactly like the Buffer decoder', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const raw = latin1(text);
        const rebuilt = utf8FromLatin1(raw, 0, raw.length, 0) ?? Buffer.from(raw, 'latin1').toString('utf8');
        expect(rebuilt).toBe(text);
        expect(new FieldDecoder('utf-8').decodeRaw(raw)).toBe(text);
      }),
    );
    const invalid = Buffer.from([0x41, 0xc3, 0x28, 0x42]).toString('latin1');
    expect(utf8FromLatin1(invalid, 0, invalid.length, 1)).toBeNull();
    expect(new FieldDecoder('utf-8').decodeRaw(invalid)).toBe(
      Buffer.from(invalid, 'latin1').toString('utf8'),
    );
  });
});
