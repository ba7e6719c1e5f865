export { readRemittanceCsv, readRemittanceCsvText } from './csv.js';
export { type ReceivedAdvice, readRemittanceEmail } from './email.js';
export {
  type ExtractedAdjustment,
  type ExtractedAdvice,
  type ExtractedLine,
  type ExtractOptions,
  extractRemittance,
  isEmptyAdvice,
  type PaymentReference,
} from './extract.js';
export { htmlToText } from './html.js';
export {
  type ImportedAdvice,
  importRemittanceFile,
  REMITTANCE_FILE_KINDS,
  type RemittanceFileKind,
  type RemittanceImportOptions,
  type RemittanceImportSummary,
  readRemittanceFile,
} from './import.js';
export { pdfToText } from './pdf.js';
export { REASONS, type ReasonCode, reasonFromText, reasonFromX12 } from './reasons.js';
