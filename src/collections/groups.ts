/**
 * How report rows are grouped, as SQL over a row source `x` that has customer_id and currency.
 * Unidentified cash (no customer) is its own group (key null) under every grouping but currency;
 * customers with no collector form the collector group '' ("no collector").
 */
export type GroupBy = 'customer' | 'parent' | 'collector' | 'currency' | 'portfolio';

export interface GroupSql {
  /** CTEs the grouping needs (comma-joined after the others); `recursive` if WITH RECURSIVE is needed. */
  ctes: string[];
  recursive: boolean;
  joins: string;
  key: string;
  number: string;
  name: string;
}

/**
 * `customer_root`: the top-level parent of each customer that has a parent (at most 8 levels up;
 * deeper or looping chains stop there). A customer with none is its own root and has no row: most
 * customers, so the walk starts from the few with a parent (`customer_parent_idx`).
 */
const CUSTOMER_ROOT = `
customer_up (customer_id, root_id, depth) AS (
  SELECT customer_id, parent_customer_id, 1 FROM customer WHERE company_id = $1 AND parent_customer_id IS NOT NULL
  UNION ALL
  SELECT u.customer_id, p.parent_customer_id, u.depth + 1
    FROM customer_up u JOIN customer p ON p.company_id = $1 AND p.customer_id = u.root_id
   WHERE p.parent_customer_id IS NOT NULL AND u.depth < 8),
customer_root AS (
  SELECT DISTINCT ON (customer_id) customer_id, root_id FROM customer_up ORDER BY customer_id, depth DESC)`;

/** A row's top-level parent (its customer when it has none), with CUSTOMER_ROOT joined as `t`. */
export const ROOT_OF_ROW = 'coalesce(t.root_id, x.customer_id)';

const JOIN_CUSTOMER = 'LEFT JOIN customer c ON c.company_id = $1 AND c.customer_id = x.customer_id';

export function groupSql(by: GroupBy): GroupSql {
  switch (by) {
    case 'customer':
      return {
        ctes: [],
        recursive: false,
        joins: JOIN_CUSTOMER,
        key: 'x.customer_id::text',
        number: 'c.customer_number',
        name: 'c.name',
      };
    case 'parent':
      return {
        ctes: [CUSTOMER_ROOT],
        recursive: true,
        joins: `LEFT JOIN customer_root t ON t.customer_id = x.customer_id
                LEFT JOIN customer c ON c.company_id = $1 AND c.customer_id = ${ROOT_OF_ROW}`,
        key: `${ROOT_OF_ROW}::text`,
        number: 'c.customer_number',
        name: 'c.name',
      };
    case 'collector':
      return {
        ctes: [],
        recursive: false,
        joins: JOIN_CUSTOMER,
        key: "CASE WHEN x.customer_id IS NULL THEN NULL ELSE coalesce(c.collector, '') END",
        number: 'NULL::text',
        name: "CASE WHEN x.customer_id IS NULL THEN NULL ELSE coalesce(c.collector, '') END",
      };
    case 'currency':
      return {
        ctes: [],
        recursive: false,
        joins: '',
        key: 'x.currency::text',
        number: 'NULL::text',
        name: 'NULL::text',
      };
    case 'portfolio':
      return {
        ctes: [],
        recursive: false,
        joins: '',
        key: "'portfolio'",
        number: 'NULL::text',
        name: 'NULL::text',
      };
  }
}
