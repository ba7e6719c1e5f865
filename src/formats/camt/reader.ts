/**
 * The streaming camt reader: saxes events drive a small state machine over the document's fixed skeleton
 * (Document / message / Stmt|Rpt|Ntfctn / Ntry / NtryDtls). Everything below that skeleton is gathered into
 * small element trees (`XNode`) one subtree at a time — a `Bal`, the `Acct`, one `TxDtls` — and handed over
 * when it closes, so memory stays bounded whatever the file size. Elements are matched on local names, so
 * any namespace prefix and any version (.001.01 to .001.13) read the same way.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { ParseError } from '../errors.js';
import type { ParseOptions, ParseSink } from '../model.js';
import { UnsupportedEncodingError, XmlByteDecoder } from './decode.js';
import { EntryAssembler } from './entry.js';
import { fail, type ReaderContext, warn } from './fields.js';
import { type MessageInfo, StatementState } from './statement.js';
import { makeNode, type XNode } from './xml-node.js';

interface MessageKind {
  readonly statement: string;
  readonly type: string;
}

const MESSAGES: Readonly<Record<string, MessageKind>> = {
  BkToCstmrStmt: { statement: 'Stmt', type: 'camt.053' },
  BkToCstmrAcctRpt: { statement: 'Rpt', type: 'camt.052' },
  BkToCstmrDbtCdtNtfctn: { statement: 'Ntfctn', type: 'camt.054' },
};

/** What a gathered subtree is, decided when its root element opens. */
type Gather = 'group-header' | 'statement-child' | 'entry-child' | 'batch' | 'transaction';

/**
 * Subtrees below Ntry/TxDtls that no field is read from: not building them saves time and memory on the
 * verbose files some banks send (addresses and party identifications on every transaction).
 */
const UNREAD_ELEMENTS: ReadonlySet<string> = new Set([
  'PstlAdr',
  'CtctDtls',
  'OrgId',
  'PrvtId',
  'CcyXchg',
  'RltdDts',
  'RltdPric',
  'RltdQties',
  'RltdAcct',
  'SplmtryData',
  'CardTx',
  'TechInptChanl',
  'Intrst',
  'FinInstrmId',
  'CorpActn',
  'SfkpgAcct',
  'CshDpst',
  'TaxRmt',
  'GrnshmtRmt',
  'Invcr',
  'Invcee',
  'RltdRmtInf',
  'LclInstrm',
  'Tax',
]);

/** camt's deepest paths are about 15 levels; a deeper file is broken or hostile. */
const MAX_DEPTH = 100;
/** The longest camt text fields are 500 characters (AddtlNtryInf); bounded so a broken file cannot fill memory. */
const MAX_TEXT_CHARS = 100_000;

const DECODE_PIECE_BYTES = 64 * 1024;
const V01_SUFFIX = /V\d{2}$/;
const VERSION_PATTERN = /camt\.05[234]\.\d{3}\.\d{2}/;

export class CamtReader {
  private readonly ctx: ReaderContext;
  private readonly xml: SaxesParser<{ xmlns: false; position: false }>;
  private readonly decoder: XmlByteDecoder;

  /** Local names of the open elements, for error paths (`names[1]` is the root). */
  private readonly names: string[] = [];
  /**
   * The text handler is installed only right after an element of a gathered subtree opens, and removed when
   * any element closes: saxes then does not even slice the whitespace between elements (half its text work).
   */
  private readonly textHandler = this.text.bind(this);
  private depth = 0;
  /** > 0 while ignoring the subtree rooted at this depth. */
  private skipDepth = 0;
  /** > 0 while gathering the subtree rooted at this depth. */
  private gatherDepth = 0;
  private gatherKind: Gather = 'statement-child';
  private readonly gatherStack: XNode[] = [];

  private rootName = '';
  private documentDepth = 0;
  private messageDepth = 0;
  private statementDepth = 0;
  private entryDepth = 0;
  private detailsDepth = 0;

  private messageName = '';
  private messageKind: MessageKind | null = null;
  private messagePath = '';
  private version: string | null = null;
  private groupHeader: XNode | undefined;
  private messagesSeen = 0;
  private statementsInMessage = 0;
  private statementsInFile = 0;
  private entriesInStatement = 0;
  private statement: StatementState | null = null;
  private entry: EntryAssembler | null = null;

  constructor(options: ParseOptions, sink: ParseSink) {
    this.ctx = {
      fileName: options.fileName,
      lenient: options.lenient === true,
      strict: options.strict === true,
      sink,
    };
    this.decoder = new XmlByteDecoder(() =>
      warn(this.ctx, {
        code: 'bank-deviation',
        message: 'the file is not valid UTF-8: invalid bytes were replaced by U+FFFD',
      }),
    );
    // Position tracking costs about a third of saxes' speed; errors name the XML path instead.
    this.xml = new SaxesParser({ xmlns: false, position: false });
    this.xml.on('opentag', this.open.bind(this));
    this.xml.on('closetag', this.close.bind(this));
    this.xml.on('cdata', this.textHandler);
    this.xml.on('error', (error) => {
      throw new ParseError(
        'malformed-xml',
        { file: this.ctx.fileName, path: this.currentPath() },
        `malformed XML: ${error.message}`,
        {
          cause: error,
        },
      );
    });
  }

  write(chunk: Buffer): void {
    // Decoding 1 MiB reads in one go is several times slower than in small pieces (large strings leave
    // V8's young generation), and saxes is no slower on small strings.
    for (let offset = 0; offset < chunk.length; offset += DECODE_PIECE_BYTES) {
      this.feed(chunk.subarray(offset, offset + DECODE_PIECE_BYTES));
    }
  }

  end(): void {
    this.feed(null);
    this.xml.close();
    if (this.messagesSeen === 0) {
      fail(
        this.ctx,
        'not-camt',
        `/${this.rootName}`,
        'no BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn message',
      );
    }
  }

  /** Decodes a piece of input (null: the end) and parses it. */
  private feed(piece: Buffer | null): void {
    let text: string;
    try {
      text = piece === null ? this.decoder.end() : this.decoder.write(piece);
    } catch (error) {
      if (error instanceof UnsupportedEncodingError) {
        fail(
          this.ctx,
          'unsupported-encoding',
          '/',
          `unsupported encoding "${error.message}"`,
          'encoding',
          'UTF-8, UTF-16 or an ISO-8859/Windows code page',
        );
      }
      throw error;
    }
    if (text.length > 0) this.xml.write(text);
  }

  private currentPath(): string {
    return `/${this.names.slice(1, this.depth + 1).join('/')}`;
  }

  private open(tag: SaxesTagPlain): void {
    const depth = ++this.depth;
    if (depth > MAX_DEPTH) {
      fail(this.ctx, 'malformed-xml', this.currentPath(), `elements nested more than ${MAX_DEPTH} deep`);
    }
    const qualified = tag.name;
    const colon = qualified.indexOf(':');
    const name = colon < 0 ? qualified : qualified.slice(colon + 1);
    this.names[depth] = name;
    if (this.skipDepth !== 0) return;
    if (this.gatherDepth !== 0) {
      if (UNREAD_ELEMENTS.has(name)) {
        this.skipDepth = depth;
        this.xml.off('text');
        return;
      }
      const node = makeNode(name, tag.attributes);
      const parent = this.gatherStack[this.gatherStack.length - 1]!;
      if (parent.children === null) parent.children = [node];
      else parent.children.push(node);
      this.gatherStack.push(node);
      this.xml.on('text', this.textHandler);
      return;
    }
    this.openSkeleton(name, depth, tag);
    if (this.gatherDepth !== 0) this.xml.on('text', this.textHandler);
  }

  private text(text: string): void {
    if (this.gatherDepth === 0) return;
    const node = this.gatherStack[this.gatherStack.length - 1]!;
    // Only leaf text matters; whitespace between child elements is dropped.
    if (node.children === null) {
      node.text += text;
      if (node.text.length > MAX_TEXT_CHARS) {
        fail(
          this.ctx,
          'field-too-long',
          this.currentPath(),
          `text longer than ${MAX_TEXT_CHARS} characters`,
          node.name,
        );
      }
    }
  }

  private close(): void {
    const depth = this.depth--;
    this.xml.off('text');
    if (this.skipDepth !== 0) {
      if (depth === this.skipDepth) this.skipDepth = 0;
      return;
    }
    if (this.gatherDepth !== 0) {
      const node = this.gatherStack.pop()!;
      if (depth === this.gatherDepth) {
        this.gatherDepth = 0;
        this.gathered(node);
      }
      return;
    }
    this.closeSkeleton(depth);
  }

  private gather(depth: number, kind: Gather, name: string, tag: SaxesTagPlain): void {
    this.gatherDepth = depth;
    this.gatherKind = kind;
    this.gatherStack.length = 0;
    this.gatherStack.push(makeNode(name, tag.attributes));
  }

  private openSkeleton(name: string, depth: number, tag: SaxesTagPlain): void {
    if (depth === 1) {
      this.rootName = name;
      if (name === 'Document') this.openDocument(depth, tag);
      return;
    }
    if (this.documentDepth === 0) {
      // An envelope around the Document (e.g. with a business application header).
      if (depth === 2 && name === 'Document') {
        this.openDocument(depth, tag);
        return;
      }
      if (depth === 2 && name === 'AppHdr') {
        this.skipDepth = depth;
        return;
      }
      fail(
        this.ctx,
        'not-camt',
        this.currentPath(),
        `<${this.rootName}> is not a camt Document`,
        'Document',
        'an ISO 20022 camt.052/053/054 Document',
        this.rootName,
      );
    }
    if (this.messageDepth === 0) {
      this.openMessage(name, depth, tag);
      return;
    }
    if (this.statementDepth === 0) {
      if (name === this.messageKind!.statement) this.openStatement(name, depth);
      else if (name === 'GrpHdr') this.gather(depth, 'group-header', name, tag);
      else this.skipDepth = depth;
      return;
    }
    if (this.entryDepth === 0) {
      if (name === 'Ntry') this.openEntry(depth);
      else this.gather(depth, 'statement-child', name, tag);
      return;
    }
    if (this.detailsDepth === 0) {
      if (name === 'NtryDtls') {
        this.detailsDepth = depth;
        this.entry!.beginDetails();
      } else if (name === 'TxDtls') {
        this.entry!.beginDirectDetails();
        this.gather(depth, 'transaction', name, tag);
      } else if (name === 'Btch') this.gather(depth, 'batch', name, tag);
      else this.gather(depth, 'entry-child', name, tag);
      return;
    }
    if (name === 'TxDtls') this.gather(depth, 'transaction', name, tag);
    else if (name === 'Btch') this.gather(depth, 'batch', name, tag);
    else this.skipDepth = depth;
  }

  private openDocument(depth: number, tag: SaxesTagPlain): void {
    this.documentDepth = depth;
    this.version = findVersion(tag);
  }

  private openMessage(name: string, depth: number, tag: SaxesTagPlain): void {
    // Version .001.01 names the message with a suffix: BkToCstmrAcctRptV01.
    const kind = MESSAGES[name.replace(V01_SUFFIX, '')];
    if (kind === undefined) {
      fail(
        this.ctx,
        'not-camt',
        this.currentPath(),
        `<${name}> is not a camt.052/053/054 message`,
        'Document/*',
        'BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn',
        name,
      );
    }
    this.messageDepth = depth;
    this.messageName = name;
    this.messageKind = kind;
    this.messagePath = this.currentPath();
    this.version ??= findVersion(tag);
    this.groupHeader = undefined;
    this.statementsInMessage = 0;
    this.messagesSeen++;
  }

  private openStatement(name: string, depth: number): void {
    this.statementDepth = depth;
    this.statementsInMessage++;
    this.entriesInStatement = 0;
    const message: MessageInfo = {
      type: this.messageKind!.type,
      version: this.version,
      groupHeader: this.groupHeader,
    };
    const path = `${this.messagePath}/${name}[${this.statementsInMessage}]`;
    this.statement = new StatementState(this.ctx, this.statementsInFile++, path, name, message);
    this.ctx.sink.beginStatement();
  }

  private openEntry(depth: number): void {
    this.entryDepth = depth;
    this.entriesInStatement++;
    const statement = this.statement!;
    this.entry = new EntryAssembler(
      this.ctx,
      statement,
      `${statement.path}/Ntry[${this.entriesInStatement}]`,
    );
  }

  private closeSkeleton(depth: number): void {
    if (depth === this.detailsDepth) {
      this.detailsDepth = 0;
    } else if (depth === this.entryDepth) {
      this.entry!.finish();
      this.entry = null;
      this.entryDepth = 0;
    } else if (depth === this.statementDepth) {
      this.statement!.finish();
      this.statement = null;
      this.statementDepth = 0;
    } else if (depth === this.messageDepth) {
      if (this.statementsInMessage === 0) {
        fail(
          this.ctx,
          'missing-field',
          this.messagePath,
          `${this.messageName} holds no ${this.messageKind!.statement}`,
          this.messageKind!.statement,
          'at least one',
        );
      }
      this.messageDepth = 0;
    }
  }

  private gathered(node: XNode): void {
    switch (this.gatherKind) {
      case 'group-header':
        this.groupHeader = node;
        break;
      case 'statement-child':
        this.statement!.addChild(node);
        break;
      case 'entry-child':
        this.entry!.addChild(node);
        break;
      case 'batch':
        this.entry!.addBatch(node);
        break;
      case 'transaction':
        this.entry!.addTransaction(node);
        break;
    }
  }
}

function findVersion(tag: SaxesTagPlain): string | null {
  for (const value of Object.values(tag.attributes)) {
    const match = VERSION_PATTERN.exec(value);
    if (match) return match[0];
  }
  return null;
}
