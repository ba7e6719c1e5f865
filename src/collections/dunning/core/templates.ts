import { formatMinor, minorUnitExponent } from '../../../money/index.js';
import { invariant } from './errors.js';

/**
 * Letters per language: built-in templates for English, German and French (a strategy file may
 * override any of them or add languages), `{{placeholder}}` substitution, and the money, date and
 * table formatting each language expects. Pure: the same inputs always give the same letter.
 */
export const BUILT_IN_LANGUAGES = ['en', 'de', 'fr'] as const;
export const LANGUAGE_PATTERN = /^[a-z]{2}$/;

export const PLACEHOLDERS = [
  'customer_name',
  'customer_number',
  'items_table',
  'totals',
  'charges',
  'days_overdue',
  'contact_name',
  'contact_email',
  'contact_phone',
  'company_name',
  'as_of',
  'step',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateVars = Record<Placeholder, string>;

export interface MessageTemplate {
  subject: string;
  body: string;
}

/** Template key → template, per language. */
export type TemplateSet = Record<string, Record<string, MessageTemplate>>;

export const MAX_TEMPLATE_CHARS = 20_000;
const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g;

/** Placeholders a template names that do not exist (a typo would otherwise print literally). */
export function unknownPlaceholders(text: string): string[] {
  const known = new Set<string>(PLACEHOLDERS);
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !known.has(name));
}

export function renderTemplate(text: string, vars: TemplateVars): string {
  invariant(text.length <= MAX_TEMPLATE_CHARS, 'template-too-long', 'a template is too long');
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(vars, name) ? vars[name as Placeholder] : whole,
  );
}

interface Labels {
  document: string;
  date: string;
  due: string;
  daysOverdue: string;
  open: string;
  total: string;
  fee: string;
  interest: string;
  interestLine: (days: number | undefined, percent: string) => string;
  /** Heading of the notes under the items (a disputed deduction's finding). */
  notes: string;
}

const LABELS: Record<string, Labels> = {
  en: {
    document: 'Document',
    date: 'Date',
    due: 'Due',
    daysOverdue: 'Days overdue',
    open: 'Amount open',
    total: 'Total',
    fee: 'Late fee',
    interest: 'Interest',
    interestLine: (days, percent) =>
      `Interest (${percent}% p.a.${days === undefined ? '' : `, ${days} days`})`,
    notes: 'About the items above',
  },
  de: {
    document: 'Beleg',
    date: 'Datum',
    due: 'Fällig',
    daysOverdue: 'Tage überfällig',
    open: 'Offener Betrag',
    total: 'Summe',
    fee: 'Mahngebühr',
    interest: 'Verzugszinsen',
    interestLine: (days, percent) =>
      `Verzugszinsen (${percent} % p.a.${days === undefined ? '' : `, ${days} Tage`})`,
    notes: 'Zu den obigen Posten',
  },
  fr: {
    document: 'Document',
    date: 'Date',
    due: 'Échéance',
    daysOverdue: 'Jours de retard',
    open: 'Montant dû',
    total: 'Total',
    fee: 'Frais de relance',
    interest: 'Intérêts de retard',
    interestLine: (days, percent) =>
      `Intérêts de retard (${percent} % l'an${days === undefined ? '' : `, ${days} jours`})`,
    notes: 'Concernant les postes ci-dessus',
  },
};

export const labelsOf = (language: string): Labels => LABELS[language] ?? LABELS.en!;

/** Groups the whole part of a decimal string the way the language writes amounts. */
export function formatAmount(minor: number, currency: string, language: string): string {
  const text = formatMinor(minor, minorUnitExponent(currency));
  const negative = text.startsWith('-');
  const [whole, fraction] = (negative ? text.slice(1) : text).split('.') as [string, string | undefined];
  const [group, point] = language === 'de' ? ['.', ','] : language === 'fr' ? [' ', ','] : [',', '.'];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : point + fraction} ${currency}`;
}

export function formatDate(iso: string, language: string): string {
  const [y, m, d] = iso.split('-');
  if (language === 'de') return `${d}.${m}.${y}`;
  if (language === 'fr') return `${d}/${m}/${y}`;
  return iso;
}

export interface LetterLine {
  documentNumber: string;
  documentDate: string;
  dueDate: string;
  daysOverdue: number;
  openMinor: number;
  currency: string;
  /** Why the customer is asked again for an amount it disputed: the owner's finding. */
  note?: string | null;
}

export interface LetterCharge {
  kind: 'fee' | 'interest';
  currency: string;
  amountMinor: number;
  /** Interest: the days and yearly rate it was computed for. */
  days?: number;
  percent?: string;
}

/** A fixed-width table of the letter's items (monospace in any mail client that shows plain text). */
export function itemsTable(lines: readonly LetterLine[], language: string): string {
  const l = labelsOf(language);
  const rows = [
    [l.document, l.date, l.due, l.daysOverdue, l.open],
    ...lines.map((x) => [
      x.documentNumber,
      formatDate(x.documentDate, language),
      formatDate(x.dueDate, language),
      String(Math.max(0, x.daysOverdue)),
      formatAmount(x.openMinor, x.currency, language),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const right = new Set([3, 4]);
  const table = rows
    .map((r) =>
      r
        .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
  const notes = lines.filter((x) => x.note).map((x) => `- ${x.documentNumber}: ${x.note}`);
  return notes.length === 0 ? table : `${table}\n\n${l.notes}:\n${notes.join('\n')}`;
}

export function chargesText(charges: readonly LetterCharge[], language: string): string {
  const l = labelsOf(language);
  return charges
    .map((c) =>
      c.kind === 'fee'
        ? `${l.fee}: ${formatAmount(c.amountMinor, c.currency, language)}`
        : `${l.interestLine(c.days, c.percent ?? '')}: ${formatAmount(c.amountMinor, c.currency, language)}`,
    )
    .join('\n');
}

/** "1,234.56 USD + 99.00 EUR": the open items plus this letter's charges, per currency. */
export function totalsText(
  lines: readonly LetterLine[],
  charges: readonly LetterCharge[],
  language: string,
): string {
  const totals = new Map<string, number>();
  for (const x of lines) totals.set(x.currency, (totals.get(x.currency) ?? 0) + x.openMinor);
  for (const c of charges) totals.set(c.currency, (totals.get(c.currency) ?? 0) + c.amountMinor);
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, minor]) => formatAmount(minor, currency, language))
    .join(' + ');
}

const sign = (language: string) =>
  ({
    en: 'Kind regards',
    de: 'Mit freundlichen Grüßen',
    fr: 'Veuillez agréer nos salutations distinguées.',
  })[language] ?? 'Kind regards';

const footer = (language: string) =>
  `${sign(language)}\n{{contact_name}}\n{{company_name}}\n{{contact_email}} · {{contact_phone}}`;

function en(opening: string, middle: string): string {
  return `Dear {{customer_name}},\n\n${opening}\n\n{{items_table}}\n\n{{charges}}\nTotal: {{totals}}\n\n${middle}\n\nA statement of your account ({{customer_number}}) is attached.\n\n${footer('en')}\n`;
}

function de(opening: string, middle: string): string {
  return `Sehr geehrte Damen und Herren ({{customer_name}}),\n\n${opening}\n\n{{items_table}}\n\n{{charges}}\nGesamtbetrag: {{totals}}\n\n${middle}\n\nEinen Auszug Ihres Kontos ({{customer_number}}) finden Sie im Anhang.\n\n${footer('de')}\n`;
}

function fr(opening: string, middle: string): string {
  return `Madame, Monsieur ({{customer_name}}),\n\n${opening}\n\n{{items_table}}\n\n{{charges}}\nMontant total : {{totals}}\n\n${middle}\n\nVous trouverez ci-joint le relevé de votre compte ({{customer_number}}).\n\n${footer('fr')}\n`;
}

/** The built-in letters: reminder (before due), due, overdue, second, final. */
export const BUILT_IN_TEMPLATES: TemplateSet = {
  en: {
    reminder: {
      subject: 'Friendly reminder: payment due soon ({{customer_name}})',
      body: en(
        'This is a friendly reminder that the following items on your account fall due shortly:',
        'If you have already arranged payment, please disregard this message.',
      ),
    },
    due: {
      subject: 'Payment due today ({{customer_name}})',
      body: en(
        'The following items on your account are due for payment today:',
        'If you have already paid, thank you, and please disregard this message.',
      ),
    },
    overdue: {
      subject: 'Payment reminder: overdue items ({{customer_name}})',
      body: en(
        'According to our records the following items are overdue by up to {{days_overdue}} days:',
        'Please arrange payment promptly. If you have paid in the meantime, please disregard this message; if you dispute any item, let us know.',
      ),
    },
    second: {
      subject: 'Second reminder: your account is overdue ({{customer_name}})',
      body: en(
        'Despite our earlier reminder, the following items remain unpaid, overdue by up to {{days_overdue}} days:',
        'Please pay the total within 7 days or contact us to agree a payment date.',
      ),
    },
    final: {
      subject: 'Final notice before further action ({{customer_name}})',
      body: en(
        'This is our final notice. The following items are overdue by up to {{days_overdue}} days:',
        'Unless we receive payment within 7 days, we will place your account on credit hold and may pass the debt to a collection agency without further notice.',
      ),
    },
  },
  de: {
    reminder: {
      subject: 'Freundliche Erinnerung: Zahlung bald fällig ({{customer_name}})',
      body: de(
        'wir möchten Sie freundlich daran erinnern, dass die folgenden Posten in Kürze fällig werden:',
        'Falls Sie die Zahlung bereits veranlasst haben, betrachten Sie dieses Schreiben bitte als gegenstandslos.',
      ),
    },
    due: {
      subject: 'Zahlung heute fällig ({{customer_name}})',
      body: de(
        'die folgenden Posten Ihres Kontos sind heute zur Zahlung fällig:',
        'Sollten Sie bereits gezahlt haben, danken wir Ihnen und bitten Sie, dieses Schreiben als gegenstandslos zu betrachten.',
      ),
    },
    overdue: {
      subject: 'Zahlungserinnerung: überfällige Posten ({{customer_name}})',
      body: de(
        'laut unserer Buchhaltung sind die folgenden Posten seit bis zu {{days_overdue}} Tagen überfällig:',
        'Bitte veranlassen Sie die Zahlung umgehend. Sollten Sie einen Posten beanstanden, teilen Sie uns dies bitte mit.',
      ),
    },
    second: {
      subject: '2. Mahnung: Ihr Konto ist überfällig ({{customer_name}})',
      body: de(
        'trotz unserer Erinnerung sind die folgenden Posten seit bis zu {{days_overdue}} Tagen unbezahlt:',
        'Bitte zahlen Sie den Gesamtbetrag innerhalb von 7 Tagen oder vereinbaren Sie mit uns einen Zahlungstermin.',
      ),
    },
    final: {
      subject: 'Letzte Mahnung vor weiteren Schritten ({{customer_name}})',
      body: de(
        'dies ist unsere letzte Mahnung. Die folgenden Posten sind seit bis zu {{days_overdue}} Tagen überfällig:',
        'Geht die Zahlung nicht innerhalb von 7 Tagen ein, sperren wir Ihr Kundenkonto für weitere Lieferungen und übergeben die Forderung gegebenenfalls ohne weitere Ankündigung einem Inkassobüro.',
      ),
    },
  },
  fr: {
    reminder: {
      subject: 'Rappel amical : échéance prochaine ({{customer_name}})',
      body: fr(
        'Nous vous rappelons que les pièces suivantes arrivent prochainement à échéance :',
        'Si vous avez déjà procédé au règlement, merci de ne pas tenir compte de ce message.',
      ),
    },
    due: {
      subject: "Paiement exigible aujourd'hui ({{customer_name}})",
      body: fr(
        "Les pièces suivantes de votre compte sont exigibles aujourd'hui :",
        'Si vous avez déjà réglé, nous vous en remercions et vous prions de ne pas tenir compte de ce message.',
      ),
    },
    overdue: {
      subject: 'Relance : factures échues ({{customer_name}})',
      body: fr(
        "D'après nos écritures, les pièces suivantes sont échues depuis {{days_overdue}} jours au plus :",
        'Merci de procéder au règlement dans les meilleurs délais. Si vous contestez une pièce, merci de nous en informer.',
      ),
    },
    second: {
      subject: 'Deuxième relance : compte en retard ({{customer_name}})',
      body: fr(
        'Malgré notre précédente relance, les pièces suivantes restent impayées depuis {{days_overdue}} jours au plus :',
        'Merci de régler le montant total sous 7 jours ou de nous contacter pour convenir d’une date de paiement.',
      ),
    },
    final: {
      subject: 'Dernier avis avant recouvrement ({{customer_name}})',
      body: fr(
        'Ceci est notre dernier avis. Les pièces suivantes sont échues depuis {{days_overdue}} jours au plus :',
        'Sans règlement sous 7 jours, votre compte sera bloqué et la créance pourra être confiée à un organisme de recouvrement sans autre préavis.',
      ),
    },
  },
};

/** The template for a language (the fallback language's when the customer's has none). */
export function pickTemplate(
  templates: TemplateSet,
  key: string,
  language: string,
  fallbackLanguage: string,
): { template: MessageTemplate; language: string } {
  const own = templates[language]?.[key];
  if (own) return { template: own, language };
  const fallback = templates[fallbackLanguage]?.[key] ?? templates.en?.[key];
  invariant(fallback, 'template-missing', `no template ${key} in ${language} or ${fallbackLanguage}`);
  return { template: fallback, language: templates[fallbackLanguage]?.[key] ? fallbackLanguage : 'en' };
}

export interface RenderedLetter {
  subject: string;
  body: string;
  language: string;
}

export interface LetterInput {
  templateKey: string;
  language: string;
  fallbackLanguage: string;
  customerName: string;
  customerNumber: string;
  companyName: string;
  contact: { name: string; email: string; phone: string };
  asOf: string;
  stepCode: string;
  lines: readonly LetterLine[];
  charges: readonly LetterCharge[];
}

export function renderLetter(templates: TemplateSet, x: LetterInput): RenderedLetter {
  const { template, language } = pickTemplate(templates, x.templateKey, x.language, x.fallbackLanguage);
  const charges = chargesText(x.charges, language);
  const vars: TemplateVars = {
    customer_name: x.customerName,
    customer_number: x.customerNumber,
    items_table: itemsTable(x.lines, language),
    totals: totalsText(x.lines, x.charges, language),
    charges: charges === '' ? '' : `${charges}\n`,
    days_overdue: String(Math.max(0, ...x.lines.map((l) => l.daysOverdue))),
    contact_name: x.contact.name,
    contact_email: x.contact.email,
    contact_phone: x.contact.phone,
    company_name: x.companyName,
    as_of: formatDate(x.asOf, language),
    step: x.stepCode,
  };
  // A subject is one line: a customer name with a line break must not add mail headers.
  const subject = renderTemplate(template.subject, vars)
    .replace(/[\r\n]+/g, ' ')
    .trim();
  return { subject, body: renderTemplate(template.body, vars), language };
}
