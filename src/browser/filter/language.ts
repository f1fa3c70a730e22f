/**
 * Highlighting for the filter box: a CodeMirror stream language driven by
 * the grammar's tokenizer (the same tokens completion reads), and colours
 * from JupyterLab's editor theme variables.
 */
import {
  HighlightStyle,
  StreamLanguage,
  syntaxHighlighting
} from '@codemirror/language';
import type { Extension } from '@codemirror/state';
import { tags } from '@lezer/highlight';

import { readToken, TokenType } from './tokens';

/** The highlighting tag of each token type (names of @lezer/highlight's tags). */
const TAG: { [type in TokenType]: string | null } = {
  space: null,
  keyword: 'keyword',
  identifier: 'propertyName',
  string: 'string',
  number: 'number',
  time: 'atom',
  literal: 'bool',
  operator: 'operator',
  open: 'paren',
  close: 'paren',
  comma: 'punctuation',
  word: 'variableName',
  error: 'invalid'
};

export const filterLanguage = StreamLanguage.define<null>({
  name: 'experiments-filter',
  startState: () => null,
  token: stream => {
    // The box holds one line: the tokenizer reads it from the stream's offset.
    const token = readToken(stream.string, stream.pos);
    stream.pos = Math.max(token.to, stream.pos + 1);
    return TAG[token.type];
  }
});

const color = (name: string) => `var(--jp-mirror-editor-${name}-color)`;

/** JupyterLab's editor colours, so the box follows the theme. */
export const filterHighlightStyle = HighlightStyle.define([
  { tag: tags.keyword, color: color('keyword'), fontWeight: 'bold' },
  { tag: tags.propertyName, color: color('property') },
  { tag: tags.string, color: color('string') },
  { tag: tags.number, color: color('number') },
  { tag: [tags.atom, tags.bool], color: color('atom') },
  { tag: tags.operator, color: color('operator'), fontWeight: 'bold' },
  { tag: [tags.paren, tags.punctuation], color: color('punctuation') },
  { tag: tags.variableName, color: color('variable') },
  { tag: tags.invalid, color: color('error') }
]);

/** The language and its colours. */
export function filterHighlighting(): Extension {
  return [filterLanguage, syntaxHighlighting(filterHighlightStyle)];
}
