import type {
  BankEntry,
  FormatName,
  ParseResult,
  ParseSink,
  RemittanceAdvice,
  StatementInfo,
} from './model.js';

/** A sink that keeps everything in memory: for `openar parse` and tests, not for 1 GB files. */
export class CollectingSink implements ParseSink {
  readonly result: ParseResult;
  private current: BankEntry[] | null = null;

  constructor(format: FormatName) {
    this.result = { format, statements: [], remittances: [], warnings: [] };
  }

  beginStatement(): void {
    this.current = [];
  }

  entry(entry: BankEntry): void {
    if (this.current === null) throw new Error('entry() before beginStatement()');
    this.current.push(entry);
  }

  endStatement(statement: StatementInfo): void {
    if (this.current === null) throw new Error('endStatement() before beginStatement()');
    this.result.statements.push({ ...statement, entries: this.current });
    this.current = null;
  }

  remittance(advice: RemittanceAdvice): void {
    this.result.remittances.push(advice);
  }

  warning(warning: ParseResult['warnings'][number]): void {
    this.result.warnings.push(warning);
  }
}
