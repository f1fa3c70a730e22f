/// <reference types="node" />
import type { ICell } from '@jupyterlab/nbformat';

import { readReference } from '../testing/reference';
import { describeOrigin, ICellMarkers, readMarkers } from './markers';

function cells(name: string): ICell[] {
  return readReference(name).cells;
}

/** The markers that are on, as `question<-origin` strings. */
function on(markers: ICellMarkers): string[] {
  return (['skip', 'ignoreOutput', 'raisesException', 'checkOutput'] as const)
    .filter(question => markers[question].value)
    .map(question => `${question}<-${describeOrigin(markers[question].from!)}`);
}

describe('readMarkers', () => {
  it('reads every way nbval marks cells in its sample notebook', () => {
    const found = cells('nbval/sample_notebook.ipynb')
      .map((cell, index) => [index, on(readMarkers(cell))] as const)
      .filter(([, markers]) => markers.length > 0);
    expect(found).toEqual([
      [5, ['ignoreOutput<-comment # PYTEST_VALIDATE_IGNORE_OUTPUT']],
      [6, ['ignoreOutput<-comment # NBVAL_IGNORE_OUTPUT']],
      [7, ['ignoreOutput<-tag nbval-ignore-output']],
      // Tag says check, comments say check then ignore: the last comment wins.
      [8, ['ignoreOutput<-comment # NBVAL_IGNORE_OUTPUT']],
      // Tag says ignore, the comment says check: comments beat tags.
      [9, ['checkOutput<-comment # NBVAL_CHECK_OUTPUT']],
      [10, ['checkOutput<-tag nbval-check-output']],
      [14, ['skip<-comment # NBVAL_SKIP']],
      [15, ['skip<-comment # NBVAL_SKIP']],
      [16, ['skip<-tag nbval-skip']]
    ]);
  });

  it('lists the markers that lost, so the conflict can be shown', () => {
    const markers = readMarkers(cells('nbval/sample_notebook.ipynb')[8]);
    expect(markers.overridden).toEqual([
      { kind: 'tag', marker: 'nbval-check-output' },
      { kind: 'comment', marker: 'NBVAL_CHECK_OUTPUT', line: 1 }
    ]);
    expect(markers.ignoreOutput.from).toEqual({
      kind: 'comment',
      marker: 'NBVAL_IGNORE_OUTPUT',
      line: 2
    });
  });

  it('reads raises-exception from nbval comments and both tag spellings', () => {
    const found = cells('nbval/exceptions.ipynb').map(cell =>
      on(readMarkers(cell))
    );
    expect(found).toEqual([
      ['raisesException<-comment # NBVAL_RAISES_EXCEPTION'],
      [],
      [
        'ignoreOutput<-comment # NBVAL_IGNORE_OUTPUT',
        'raisesException<-comment # NBVAL_RAISES_EXCEPTION'
      ],
      ['raisesException<-tag nbval-raises-exception'],
      ['raisesException<-tag raises-exception'],
      []
    ]);
  });

  it('reads the nbclient tags', () => {
    const skip = cells('nbclient/Skip Execution with Cell Tag.ipynb');
    expect(on(readMarkers(skip[0]))).toEqual(['skip<-tag skip-execution']);
    expect(on(readMarkers(skip[1]))).toEqual([]);
    const raises = cells('nbclient/Skip Exceptions with Cell Tags.ipynb');
    expect(on(readMarkers(raises[0]))).toEqual([
      'raisesException<-tag raises-exception'
    ]);
  });

  it('reads comments only in the header, where magics may come first', () => {
    const afterMagic = readMarkers({
      source: ['%%time\n', '\n', '#NBVAL_SKIP slow on CI\n', 'train()']
    });
    expect(afterMagic.skip).toEqual({
      value: true,
      from: { kind: 'comment', marker: 'NBVAL_SKIP', line: 2 }
    });
    const inBody = readMarkers({ source: 'x = 1\n# NBVAL_SKIP\n' });
    expect(inBody.skip.value).toBe(false);
    const inString = readMarkers({ source: 's = """\n# NBVAL_SKIP\n"""' });
    expect(inString.skip.value).toBe(false);
  });

  it('lets the later of two conflicting tags win', () => {
    const markers = readMarkers({
      source: '',
      metadata: { tags: ['nbval-ignore-output', 'nbval-check-output'] }
    });
    expect(on(markers)).toEqual(['checkOutput<-tag nbval-check-output']);
    expect(markers.overridden).toEqual([
      { kind: 'tag', marker: 'nbval-ignore-output' }
    ]);
  });

  it('ignores tags that are not a list and words that are not markers', () => {
    const markers = readMarkers({
      source: '# NBVAL_SKIPPED\n# nbval_skip\n',
      metadata: { tags: 'nbval-skip' }
    });
    expect(on(markers)).toEqual([]);
    expect(markers.overridden).toEqual([]);
  });
});
