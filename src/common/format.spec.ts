import {
  errorMessage,
  formatBytes,
  formatDuration,
  formatMs,
  formatNumber
} from './format';

describe('formatNumber', () => {
  it('shows special values by name', () => {
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(Infinity)).toBe('∞');
    expect(formatNumber(-Infinity)).toBe('-∞');
    expect(formatNumber(null)).toBe('—');
  });

  it('keeps integers and shortens long fractions', () => {
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(0.123456789)).toBe('0.12346');
    expect(formatNumber(0.00001234)).toBe('1.234e-5');
    expect(formatNumber(12345678.9)).toBe('1.235e+7');
  });
});

describe('formatBytes', () => {
  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(10 * 1024 ** 3)).toBe('10.0 GB');
  });
});

describe('formatDuration', () => {
  it('formats seconds', () => {
    expect(formatDuration(0.0123)).toBe('12 ms');
    expect(formatDuration(2.25)).toBe('2.3 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
  });

  it('formats milliseconds', () => {
    expect(formatMs(400)).toBe('400 ms');
    expect(formatMs(1200)).toBe('1.2 s');
  });
});

describe('errorMessage', () => {
  it('reads an error message, or the value as text', () => {
    expect(errorMessage(new Error('409 conflict'))).toBe('409 conflict');
    expect(errorMessage('gone')).toBe('gone');
  });
});
