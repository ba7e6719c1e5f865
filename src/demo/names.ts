import type { Rng } from './prng.js';

/**
 * Word lists and identifiers for the demo's fictional customers. Domains are under `.example`,
 * phone numbers are in the ranges set aside for fiction (555-01xx in North America, 020 7946 0xxx in
 * London, 030 23125 xxx in Berlin, 01 99 00 xx xx in Paris), so nothing reaches a real company.
 */

export const BRANDS = [
  'Northwind',
  'Globex',
  'Redwood',
  'Bluewater',
  'Summit',
  'Ironclad',
  'Pinecrest',
  'Harborview',
  'Keystone',
  'Silverline',
  'Cobalt',
  'Granite Peak',
  'Lakeshore',
  'Meridian',
  'Pioneer',
  'Sterling',
  'Crescent',
  'Evergreen',
  'Falcon Ridge',
  'Horizon',
  'Juniper',
  'Kestrel',
  'Oakridge',
  'Prairie',
  'Quarry Hill',
  'Riverbend',
  'Sagebrush',
  'Tidewater',
  'Westfield',
  'Copperfield',
  'Ashford',
  'Brightwater',
  'Cedar Point',
  'Driftwood',
  'Eastgate',
  'Foxhollow',
  'Glenwood',
  'Highland',
  'Ironwood',
  'Jasper',
  'Kingsbridge',
  'Larkspur',
  'Millbrook',
  'Northgate',
  'Orchard',
  'Pembroke',
  'Ravenwood',
  'Stonebridge',
  'Thornbury',
  'Upland',
  'Valley Forge',
  'Whitmore',
  'Yarrow',
  'Zenith',
  'Alder',
  'Beacon',
  'Canyon',
  'Delta',
  'Ember',
  'Frontier',
  'Gateway',
  'Hawthorne',
  'Inland',
  'Lighthouse',
  'Magnolia',
  'Nimbus',
  'Osprey',
  'Palisade',
  'Quincy',
  'Rockport',
  'Saltmarsh',
  'Trident',
  'Vantage',
  'Windmill',
  'Acme',
  'Initech',
  'Umbra',
  'Vertex',
  'Atlas',
  'Bayside',
  'Clearwater',
  'Dunmore',
  'Elmhurst',
  'Fairview',
] as const;

export const INDUSTRIES = [
  'Manufacturing',
  'Industries',
  'Logistics',
  'Supply',
  'Foods',
  'Distributors',
  'Components',
  'Engineering',
  'Systems',
  'Traders',
  'Hardware',
  'Plastics',
  'Metals',
  'Electronics',
  'Fabrication',
  'Packaging',
  'Tooling',
  'Machine Works',
  'Building Products',
  'Automation',
  'Industrial Supply',
  'Fasteners',
  'Hydraulics',
  'Controls',
  'Equipment',
] as const;

export const DIVISIONS = [
  'East',
  'West',
  'Central',
  'Southwest',
  'Northeast',
  'Midwest',
  'Pacific',
  'Gulf Coast',
] as const;

export const PRODUCTS = [
  'Hydraulic fittings',
  'Steel brackets',
  'Stainless fasteners',
  'Bearing assemblies',
  'Gear reducers',
  'Conveyor belts',
  'Control valves',
  'Pressure sensors',
  'Aluminium extrusions',
  'Injection-moulded housings',
  'Cable harnesses',
  'Machined shafts',
  'Pump seals',
  'Filter cartridges',
  'Motor mounts',
  'Pneumatic cylinders',
  'Sheet metal panels',
  'Welded frames',
  'Spare parts',
  'Tooling inserts',
  'Field service',
  'Calibration service',
  'Freight and handling',
] as const;

export const COLLECTORS = ['Maria Lopez', 'James Chen', 'Priya Nair', 'Tom Becker', 'Aisha Okafor'] as const;

export type Country = 'US' | 'DE' | 'FR' | 'NL' | 'IT' | 'ES' | 'GB' | 'CA';

export const CURRENCY_OF: Record<Country, string> = {
  US: 'USD',
  DE: 'EUR',
  FR: 'EUR',
  NL: 'EUR',
  IT: 'EUR',
  ES: 'EUR',
  GB: 'GBP',
  CA: 'CAD',
};

const LEGAL_FORMS: Record<Country, readonly (readonly [string, number])[]> = {
  US: [
    ['Inc.', 5],
    ['LLC', 3],
    ['Corp.', 2],
    ['Co.', 1],
  ],
  DE: [
    ['GmbH', 4],
    ['AG', 1],
  ],
  FR: [
    ['SAS', 3],
    ['S.A.', 1],
  ],
  NL: [['B.V.', 1]],
  IT: [
    ['S.r.l.', 3],
    ['S.p.A.', 1],
  ],
  ES: [
    ['S.L.', 3],
    ['S.A.', 1],
  ],
  GB: [
    ['Ltd', 4],
    ['plc', 1],
  ],
  CA: [
    ['Ltd.', 2],
    ['Inc.', 2],
  ],
};

export function legalForm(rng: Rng, country: Country): string {
  return rng.weighted(LEGAL_FORMS[country]);
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '');
}

const MAILBOXES = ['ap', 'accounts.payable', 'invoices', 'billing', 'finance', 'payables'] as const;

export function emailFor(rng: Rng, brand: string, country: Country): string {
  const tld = country === 'US' ? '' : `-${country.toLowerCase()}`;
  return `${rng.pick(MAILBOXES)}@${slug(brand)}${tld}.example`;
}

const US_AREA_CODES = [
  '212',
  '312',
  '415',
  '617',
  '713',
  '214',
  '404',
  '206',
  '303',
  '614',
  '412',
  '313',
] as const;
const CA_AREA_CODES = ['416', '604', '514', '403', '613'] as const;

/** A phone number in a range reserved for fiction. */
export function phoneFor(rng: Rng, country: Country): string {
  const d = (n: number) => String(rng.int(0, 10 ** n - 1)).padStart(n, '0');
  switch (country) {
    case 'US':
      return `+1 ${rng.pick(US_AREA_CODES)} 555 01${d(2)}`;
    case 'CA':
      return `+1 ${rng.pick(CA_AREA_CODES)} 555 01${d(2)}`;
    case 'GB':
      return `+44 20 7946 0${d(3)}`;
    case 'DE':
      return `+49 30 23125 ${d(3)}`;
    case 'FR':
      return `+33 1 99 00 ${d(2)} ${d(2)}`;
    default:
      // No published fiction ranges: a head-office switchboard style number with a 555 block.
      return `${country === 'NL' ? '+31 20' : country === 'IT' ? '+39 02' : '+34 91'} 555 ${d(4)}`;
  }
}

const digits = (rng: Rng, n: number) => Array.from({ length: n }, () => String(rng.int(0, 9))).join('');
const letters = (rng: Rng, n: number) =>
  Array.from({ length: n }, () => String.fromCharCode(65 + rng.int(0, 25))).join('');

const IBAN_BANKS: Partial<Record<Country, readonly string[]>> = {
  NL: ['ABNA', 'INGB', 'RABO', 'TRIO'],
  GB: ['NWBK', 'BARC', 'LOYD', 'HBUK'],
};

/** A syntactically valid IBAN (ISO 13616 check digits) for a fictional account, grouped by four. */
export function ibanFor(rng: Rng, country: Country): string {
  let bban: string;
  switch (country) {
    case 'DE':
      bban = digits(rng, 18);
      break;
    case 'FR':
      bban = digits(rng, 23);
      break;
    case 'NL':
      bban = rng.pick(IBAN_BANKS.NL!) + digits(rng, 10);
      break;
    case 'IT':
      bban = letters(rng, 1) + digits(rng, 22);
      break;
    case 'ES':
      bban = digits(rng, 20);
      break;
    case 'GB':
      bban = rng.pick(IBAN_BANKS.GB!) + digits(rng, 14);
      break;
    default:
      throw new Error(`no IBAN layout for ${country}`);
  }
  const iban = `${country}${ibanCheckDigits(country, bban)}${bban}`;
  return iban.replace(/(.{4})/g, '$1 ').trim();
}

export function ibanCheckDigits(country: string, bban: string): string {
  const numeric = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let remainder = 0;
  for (const ch of numeric) remainder = (remainder * 10 + (ch.charCodeAt(0) - 48)) % 97;
  return String(98 - remainder).padStart(2, '0');
}

/** Whether an IBAN's check digits are right (mod 97 = 1). */
export function ibanValid(iban: string): boolean {
  const compact = iban.replace(/\s+/g, '');
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  const numeric = rearranged.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let remainder = 0;
  for (const ch of numeric) remainder = (remainder * 10 + (ch.charCodeAt(0) - 48)) % 97;
  return remainder === 1;
}

/** A US account number (8–12 digits) or a Canadian transit-institution-account triple. */
export function domesticAccountFor(rng: Rng, country: 'US' | 'CA'): string {
  if (country === 'CA')
    return `${digits(rng, 5)}-${rng.pick(['001', '002', '003', '004', '006', '010'])}-${digits(rng, 7)}`;
  return String(rng.int(1, 9)) + digits(rng, rng.int(7, 11));
}

/** The name a bank statement shows for a payer: upper case, legal form dropped, sometimes truncated. */
export function payerNameFor(rng: Rng, name: string): string {
  const bare = name.replace(
    /\s+(Inc\.|LLC|Corp\.|Co\.|GmbH|AG|SAS|S\.A\.|B\.V\.|S\.r\.l\.|S\.p\.A\.|S\.L\.|Ltd\.?|plc)$/,
    '',
  );
  const upper = bare.toUpperCase();
  return rng.chance(0.3) ? upper.slice(0, 16).trim() : upper;
}
