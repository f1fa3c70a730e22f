/**
 * A filter the server refused (400): where, what it expected, what it found.
 * The box underlines that place and shows the message under it.
 */

/** The body of a 400 for a filter, as the server sends it. */
export interface IFilterError {
  /** 0-based offset in the filter, counted in characters (code points). */
  position: number;
  message: string;
  expected: string;
  found: string;
}

/**
 * The server's message: "at 14: expected a value, found ')'", with an
 * optional reason before "expected", and "the end" for an empty `found`
 * (which is quoted as Python's `repr` quotes it).
 */
const MESSAGE =
  /^at (\d+): (?:.*?: )?expected (.*), found ('(?:[^']|\\')*'|"(?:[^"]|\\")*"|the end)$/s;

/**
 * The filter error a failed request carries, or null for any other failure.
 * Reads the fields the server's 400 body has (on the error itself or on its
 * `body`), else the position in the server's message.
 */
export function filterErrorOf(reason: unknown): IFilterError | null {
  if (!reason || typeof reason !== 'object') {
    return null;
  }
  const error = reason as { [key: string]: any };
  if (typeof error.status === 'number' && error.status !== 400) {
    return null;
  }
  for (const source of [error, error.body, error.details]) {
    if (
      source &&
      typeof source === 'object' &&
      Number.isInteger(source.position) &&
      source.position >= 0
    ) {
      // The server names the text at fault when it knows: only the filter's
      // positions are the box's.
      if (source.argument !== undefined && source.argument !== 'filter') {
        return null;
      }
      return {
        position: source.position,
        message: String(source.message ?? error.message ?? ''),
        expected: String(source.expected ?? ''),
        found: String(source.found ?? '')
      };
    }
  }
  const message = typeof error.message === 'string' ? error.message : '';
  const match = MESSAGE.exec(message);
  if (!match) {
    return null;
  }
  return {
    position: Number(match[1]),
    message,
    expected: match[2],
    found: unquoteFound(match[3])
  };
}

/** `')'` → `)`; "the end" → nothing found. */
function unquoteFound(found: string): string {
  if (found === 'the end') {
    return '';
  }
  const quoted = /^'(.*)'$/s.exec(found) ?? /^"(.*)"$/s.exec(found);
  return quoted ? quoted[1].replace(/\\(.)/g, '$1') : found;
}

/**
 * What to underline in `text` (UTF-16 offsets, as the editor counts): the
 * found token from the error's position; `to === from` at the end of the text.
 */
export function errorRange(
  text: string,
  error: IFilterError
): { from: number; to: number } {
  const from = codePointOffset(text, error.position);
  const rest = text.slice(from);
  // Underline what was found when the text has it there, else one character.
  const length =
    error.found && rest.startsWith(error.found)
      ? error.found.length
      : rest.length
        ? String.fromCodePoint(rest.codePointAt(0)!).length
        : 0;
  return { from, to: from + length };
}

/** The UTF-16 offset of the `position`-th code point (the text's length past the end). */
export function codePointOffset(text: string, position: number): number {
  let offset = 0;
  for (let i = 0; i < position && offset < text.length; i++) {
    offset += text.codePointAt(offset)! > 0xffff ? 2 : 1;
  }
  return offset;
}
