/**
 * A tiny element tree for the small subtrees the reader keeps (one `TxDtls`, one `Bal`, the direct children
 * of one `Ntry`...). Names are local names: camt is read namespace-agnostically.
 */
export interface XNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  /** Text content; only kept for elements without child elements. */
  text: string;
  children: XNode[] | null;
}

export const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

export function makeNode(name: string, attrs: Readonly<Record<string, string>> = NO_ATTRIBUTES): XNode {
  return { name, attrs, text: '', children: null };
}

/** First child element named `name`. */
export function child(node: XNode | undefined, name: string): XNode | undefined {
  const kids = node?.children;
  if (!kids) return undefined;
  for (const kid of kids) if (kid.name === name) return kid;
  return undefined;
}

/** Every child element named `name`, in document order. */
export function childrenNamed(node: XNode | undefined, name: string): XNode[] {
  const kids = node?.children;
  if (!kids) return [];
  return kids.filter((kid) => kid.name === name);
}

/** Follows a chain of first children: `at(tx, 'Refs', 'EndToEndId')`. */
export function at(node: XNode | undefined, ...names: string[]): XNode | undefined {
  let current = node;
  for (const name of names) {
    current = child(current, name);
    if (current === undefined) return undefined;
  }
  return current;
}

/** Trimmed text of an element, null when absent or empty. */
export function textOf(node: XNode | undefined): string | null {
  if (node === undefined || node.children !== null) return null;
  const text = node.text.trim();
  return text.length === 0 ? null : text;
}

export function textAt(node: XNode | undefined, ...names: string[]): string | null {
  return textOf(at(node, ...names));
}
