import { completionPoint } from './context';

/** The completion point with the cursor at `|`. */
function at(marked: string) {
  const pos = marked.indexOf('|');
  return completionPoint(marked.replace('|', ''), pos);
}

describe('completionPoint', () => {
  it('expects an identifier at the start and after a connective', () => {
    for (const text of [
      '|',
      'par|',
      'lr > 1 AND |',
      'lr > 1 or met|',
      'NOT |',
      '(|',
      'a = 1 AND (b = 2 OR |'
    ]) {
      expect(at(text)?.expect).toBe('identifier');
    }
    expect(at('lr > 1 AND met|')).toMatchObject({ from: 11, typed: 'met' });
  });

  it('replaces an identifier being typed from its start, dots included', () => {
    expect(at('metrics.acc.|')).toMatchObject({
      expect: 'identifier',
      from: 0,
      typed: 'metrics.acc.'
    });
  });

  it('expects an operator after an identifier', () => {
    expect(at('params.lr |')?.expect).toBe('operator');
    expect(at('tags.`a b` I|')).toMatchObject({
      expect: 'operator',
      from: 11,
      typed: 'I'
    });
    expect(at('params.lr NOT |')?.expect).toBe('negated');
    expect(at('params.lr IS |')?.expect).toBe('null');
    expect(at('params.lr IS NOT |')?.expect).toBe('null');
  });

  it('expects a value of the identifier compared', () => {
    expect(at('params.lr > |')).toMatchObject({
      expect: 'value',
      identifier: 'params.lr',
      prefix: '',
      quote: null
    });
    expect(at("status = 'fai|")).toMatchObject({
      expect: 'value',
      identifier: 'status',
      from: 9,
      typed: "'fai",
      prefix: 'fai',
      quote: "'"
    });
    expect(at('params.opt LIKE "ad|')).toMatchObject({
      identifier: 'params.opt',
      prefix: 'ad',
      quote: '"'
    });
    expect(at('params.x >= 0.0|')).toMatchObject({
      expect: 'value',
      prefix: '0.0'
    });
  });

  it('follows IN lists and BETWEEN', () => {
    expect(at("tags.stage IN ('a', |")).toMatchObject({
      expect: 'value',
      identifier: 'tags.stage'
    });
    expect(at('tags.stage NOT IN (|')?.identifier).toBe('tags.stage');
    expect(at("tags.stage IN ('a' |")).toBeNull();
    expect(at('tags.stage IN |')).toBeNull();
    expect(at("tags.stage IN ('a') |")?.expect).toBe('connective');
    expect(at('duration BETWEEN |')?.identifier).toBe('duration');
    expect(at('duration BETWEEN 1 |')?.expect).toBe('between-and');
    expect(at('duration BETWEEN 1 AND |')).toMatchObject({
      expect: 'value',
      identifier: 'duration'
    });
    expect(at('duration BETWEEN 1 AND 2 |')?.expect).toBe('connective');
  });

  it('expects a connective after a comparison', () => {
    expect(at('params.lr > 0.1 |')?.expect).toBe('connective');
    expect(at('params.lr > 0.1 AN|')).toMatchObject({
      expect: 'connective',
      typed: 'AN'
    });
    expect(at('ended IS NULL |')?.expect).toBe('connective');
    expect(at('(a = 1) |')?.expect).toBe('connective');
  });

  it('takes the identifier nearest the value', () => {
    expect(at('a = 1 AND tags.x = |')?.identifier).toBe('tags.x');
    expect(at('tags.best AND params.opt = |')?.identifier).toBe('params.opt');
  });

  it('recovers after what it does not expect', () => {
    expect(at('= = ; lr > |')).toMatchObject({
      expect: 'value',
      identifier: 'lr'
    });
  });
});
