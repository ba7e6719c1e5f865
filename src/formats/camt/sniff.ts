/**
 * camt detection on the first bytes of a file: XML whose head names a camt.052/053/054 message element
 * (any namespace prefix) or declares a camt.052/053/054 namespace. Both strings are specific to camt, so
 * other XML formats (OFX 2, pain, other ISO 20022 messages) are not taken.
 */

const MESSAGE_ELEMENT =
  /<(?:[A-Za-z_][\w.-]*:)?(?:BkToCstmrStmt|BkToCstmrAcctRpt|BkToCstmrDbtCdtNtfctn)(?:V\d{2})?[\s/>]/;
const CAMT_NAMESPACE = /urn:iso:std:iso:20022:tech:xsd:camt\.05[234]\./;

export function sniffCamt(head: Buffer): boolean {
  const text = headText(head);
  let i = 0;
  // A BOM read as latin1 or UTF-16 shows up as these characters.
  while (i < text.length && (text[i] === '\uFEFF' || text[i] === 'ï' || text[i] === '»' || text[i] === '¿'))
    i++;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  if (text[i] !== '<') return false;
  return MESSAGE_ELEMENT.test(text) || CAMT_NAMESPACE.test(text);
}

function headText(head: Buffer): string {
  if (head[0] === 0xff && head[1] === 0xfe) return head.toString('utf16le');
  if (head[0] === 0xfe && head[1] === 0xff) {
    const swapped = Buffer.from(head.subarray(0, head.length - (head.length % 2)));
    return swapped.swap16().toString('utf16le');
  }
  if (head[0] === 0x3c && head[1] === 0x00) return head.toString('utf16le');
  return head.toString('latin1');
}
