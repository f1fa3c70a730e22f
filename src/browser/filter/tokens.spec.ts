import { quoteString, readToken, tokenize, unquote } from './tokens';

/** `type:text` of each token but spaces. */
const kinds = (text: string) =>
  tokenize(text)
    .filter(t => t.type !== 'space')
    .map(t => `${t.type}:${t.text}`);

describe('tokenize', () => {
  it('reads a filter with every kind of token', () => {
    expect(
      kinds(
        "metrics.acc.max >= 0.9 AND (params.lr IN (1e-3, .5) OR tags.best) and not status = 'failed'"
      )
    ).toEqual([
      'identifier:metrics.acc.max',
      'operator:>=',
      'number:0.9',
      'keyword:AND',
      'open:(',
      'identifier:params.lr',
      'keyword:IN',
      'open:(',
      'number:1e-3',
      'comma:,',
      'number:.5',
      'close:)',
      'keyword:OR',
      'identifier:tags.best',
      'close:)',
      'keyword:and',
      'keyword:not',
      'identifier:status',
      'operator:=',
      "string:'failed'"
    ]);
  });

  it('covers the text exactly, spaces included', () => {
    const text = "  name  LIKE 'a%'\t";
    const tokens = tokenize(text);
    expect(tokens.map(t => t.text).join('')).toBe(text);
    tokens.forEach((t, i) => {
      expect(t.text).toBe(text.slice(t.from, t.to));
      expect(t.from).toBe(i ? tokens[i - 1].to : 0);
    });
  });

  it('reads quoted keys in identifiers, and double quotes as strings elsewhere', () => {
    expect(
      kinds('params.`a.b c` = "2" OR tags."x-y" IS NOT NULL OR env.`nump')
    ).toEqual([
      'identifier:params.`a.b c`',
      'operator:=',
      'string:"2"',
      'keyword:OR',
      'identifier:tags."x-y"',
      'keyword:IS',
      'keyword:NOT',
      'keyword:NULL',
      'keyword:OR',
      'identifier:env.`nump'
    ]);
    const last = tokenize('env.`nump').pop()!;
    expect(last.unterminated).toBe(true);
  });

  it('reads relative times, ISO dates and negative numbers', () => {
    expect(
      kinds(
        'started > -7d AND ended < 2024-05-01T10:00:00Z AND duration BETWEEN -2h AND 3 AND x > -1.5 AND y > 7days'
      )
    ).toEqual([
      'identifier:started',
      'operator:>',
      'time:-7d',
      'keyword:AND',
      'identifier:ended',
      'operator:<',
      'time:2024-05-01T10:00:00Z',
      'keyword:AND',
      'identifier:duration',
      'keyword:BETWEEN',
      'time:-2h',
      'keyword:AND',
      'number:3',
      'keyword:AND',
      'word:x',
      'operator:>',
      'number:-1.5',
      'keyword:AND',
      'word:y',
      'operator:>',
      'number:7',
      'word:days'
    ]);
  });

  it('knows MLflow spellings and tells unknown names apart', () => {
    expect(
      kinds(
        'attributes.status = 1 AND run_name = 2 AND param.x = 3 AND foo.bar = 4'
      )
    ).toEqual([
      'identifier:attributes.status',
      'operator:=',
      'number:1',
      'keyword:AND',
      'identifier:run_name',
      'operator:=',
      'number:2',
      'keyword:AND',
      'identifier:param.x',
      'operator:=',
      'number:3',
      'keyword:AND',
      'word:foo.bar',
      'operator:=',
      'number:4'
    ]);
  });

  it('keeps a trailing dot in the identifier being typed', () => {
    expect(kinds('metrics.')).toEqual(['identifier:metrics.']);
    expect(kinds('metrics.acc.')).toEqual(['identifier:metrics.acc.']);
  });

  it('reads true and false, and escaped quotes', () => {
    expect(
      kinds("starred = TRUE AND name = 'it''s' AND notes = 'a\\'b'")
    ).toEqual([
      'identifier:starred',
      'operator:=',
      'literal:TRUE',
      'keyword:AND',
      'identifier:name',
      'operator:=',
      "string:'it''s'",
      'keyword:AND',
      'word:notes',
      'operator:=',
      "string:'a\\'b'"
    ]);
  });

  it('marks what the grammar has no use for, and never throws', () => {
    expect(kinds("a ! b ; 'open")).toEqual([
      'word:a',
      'error:!',
      'word:b',
      'error:;',
      "string:'open"
    ]);
    // Every character of any text lands in exactly one token.
    let seed = 3;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const alphabet = 'ab.`\'"()=!<>-,7 e\\ÿ😀';
    const chars = [...alphabet];
    for (let n = 0; n < 300; n++) {
      let text = '';
      for (let i = next() % 40; i > 0; i--) {
        text += chars[next() % chars.length];
      }
      expect(
        tokenize(text)
          .map(t => t.text)
          .join('')
      ).toBe(text);
    }
  });

  it('reads one token at an offset, as the highlighter asks', () => {
    const text = 'params.lr > 0.1';
    expect(readToken(text, 0)).toEqual({
      type: 'identifier',
      from: 0,
      to: 9,
      text: 'params.lr'
    });
    expect(readToken(text, 12).text).toBe('0.1');
  });

  it('takes a long filter in one pass (no quadratic work)', () => {
    const text = Array.from(
      { length: 2000 },
      (_, i) => `params.p${i} = 'v${i}'`
    ).join(' OR ');
    const start = performance.now();
    expect(tokenize(text).length).toBe(2000 * 5 + 1999 * 3);
    // About 10 ms; a pass per token would take seconds on these 50,000 characters.
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('unquote and quoteString', () => {
  it('turn values into literals and back', () => {
    for (const value of [
      'adam',
      "it's",
      '',
      'a"b',
      '50%',
      'C:\\runs\\',
      "\\'"
    ]) {
      expect(unquote(quoteString(value))).toBe(value);
      expect(unquote(quoteString(value, '"'))).toBe(value);
    }
    expect(unquote("'unfinished")).toBe('unfinished');
    expect(unquote('plain')).toBe('plain');
  });
});
