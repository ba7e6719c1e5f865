/**
 * Splits a byte stream into lines without holding the file: yields each line (without its CR/LF)
 * with its 1-based number. Bytes are decoded as latin1 so every byte maps to one character and
 * nothing throws; formats that are UTF-8 or another charset decode the line themselves.
 */
export async function* readLines(
  input: AsyncIterable<Buffer>,
): AsyncGenerator<{ text: string; lineNumber: number }> {
  let carry = '';
  let lineNumber = 0;
  for await (const chunk of input) {
    const text = carry + chunk.toString('latin1');
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      lineNumber++;
      yield { text: text.slice(start, end), lineNumber };
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  if (carry.length > 0) {
    lineNumber++;
    yield { text: carry.endsWith('\r') ? carry.slice(0, -1) : carry, lineNumber };
  }
}
