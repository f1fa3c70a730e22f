import { formatMessage, parseMessage } from './message';

describe('checkpoint messages', () => {
  it('names the executed cell and lists the trailers', () => {
    const message = formatMessage(
      { cellNumber: 3, source: '\nmodel.fit(x, y)\nprint(1)' },
      {
        runId: 'r-1',
        cellId: 'c-1',
        executionCount: 7,
        status: 'ok',
        duration: 1.25
      }
    );
    expect(message).toBe(
      [
        'Ran cell 3: model.fit(x, y)',
        '',
        'Run-Id: r-1',
        'Cell-Id: c-1',
        'Execution-Count: 7',
        'Status: ok',
        'Duration: 1.250',
        ''
      ].join('\n')
    );
    expect(parseMessage(message)).toEqual({
      subject: 'Ran cell 3: model.fit(x, y)',
      trailers: {
        runId: 'r-1',
        cellId: 'c-1',
        executionCount: 7,
        status: 'ok',
        duration: 1.25
      }
    });
  });

  it('says "Checkpoint" on demand and leaves out missing trailers', () => {
    expect(formatMessage(null)).toBe('Checkpoint\n');
    expect(formatMessage(null, { runId: 'r', executionCount: null })).toBe(
      'Checkpoint\n\nRun-Id: r\n'
    );
    expect(formatMessage({ cellNumber: 1, source: '  ' })).toBe('Ran cell 1\n');
  });

  it('keeps the subject on one short line', () => {
    const subject = formatMessage({ cellNumber: 1, source: 'x'.repeat(200) });
    expect(subject.trimEnd().length).toBe(72);
    expect(subject.trimEnd().endsWith('…')).toBe(true);
    const injected = formatMessage(null, { runId: 'a\nStatus: error' });
    expect(parseMessage(injected).trailers).toEqual({
      runId: 'a Status: error'
    });
  });

  it('reads only known trailers of the last paragraph', () => {
    expect(
      parseMessage(
        'Subject\n\nRun-Id: no\n\nStatus: bogus\nOther: 1\nDuration: 2'
      ).trailers
    ).toEqual({ duration: 2 });
  });
});
