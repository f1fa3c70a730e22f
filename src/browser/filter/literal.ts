/**
 * Values as query-grammar literals (`store/query/grammar.py`): what the
 * browser, its completion, the compare panel's brushes and run links write
 * into a filter. In quotes a backslash escapes the next character and a
 * doubled quote is one quote, so both are escaped. Pure.
 */

/** A value as a string literal of the grammar, in single quotes by default. */
export function quoteString(value: string, quote: "'" | '"' = "'"): string {
  return (
    quote +
    value
      .replace(/\\/g, '\\\\')
      .split(quote)
      .join(quote + quote) +
    quote
  );
}

/** A value as a query-grammar literal: numbers and booleans bare, the rest quoted. */
export function literal(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  return quoteString(String(value));
}

/** These runs, archived or not (a filter that names `archived` shows them). */
export function idsFilter(ids: readonly string[]): string {
  return `id IN (${ids.map(literal).join(', ')}) AND (archived OR NOT archived)`;
}
