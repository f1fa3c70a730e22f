import { formatParam, shortPath } from './RunView';

describe('sidebar formatting', () => {
  it('shortens data paths to their last two segments', () => {
    expect(shortPath('/tmp/a/b/data/train.csv')).toBe('…/data/train.csv');
    expect(shortPath('C:\\work\\data\\x.csv')).toBe('…/data/x.csv');
    expect(shortPath('data/train.csv')).toBe('data/train.csv');
  });

  it('shows strings bare and other values as JSON', () => {
    expect(formatParam('binary')).toBe('binary');
    expect(formatParam(0.1)).toBe('0.1');
    expect(formatParam([1, 'a'])).toBe('[1,"a"]');
    expect(formatParam(null)).toBe('null');
  });
});
