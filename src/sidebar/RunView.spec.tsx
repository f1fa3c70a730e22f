import { formatBytes, formatDuration, formatParam, shortPath } from './RunView';

describe('sidebar formatting', () => {
  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(10 * 1024 ** 3)).toBe('10.0 GB');
  });

  it('shortens data paths to their last two segments', () => {
    expect(shortPath('/tmp/a/b/data/train.csv')).toBe('…/data/train.csv');
    expect(shortPath('C:\\work\\data\\x.csv')).toBe('…/data/x.csv');
    expect(shortPath('data/train.csv')).toBe('data/train.csv');
  });

  it('formats durations', () => {
    expect(formatDuration(0.0123)).toBe('12 ms');
    expect(formatDuration(2.25)).toBe('2.3 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
  });

  it('shows strings bare and other values as JSON', () => {
    expect(formatParam('binary')).toBe('binary');
    expect(formatParam(0.1)).toBe('0.1');
    expect(formatParam([1, 'a'])).toBe('[1,"a"]');
    expect(formatParam(null)).toBe('null');
  });
});
