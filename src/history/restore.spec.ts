import { asRestoredCopy, restorePaths } from './restore';

describe('restorePaths', () => {
  it('puts the copy next to the notebook and never reuses a name', () => {
    const paths = restorePaths('data/model.ipynb', 'abcdef1234567890');
    expect(paths.next().value).toBe('data/model-checkpoint-abcdef1.ipynb');
    expect(paths.next().value).toBe('data/model-checkpoint-abcdef1-2.ipynb');
    expect(paths.next().value).toBe('data/model-checkpoint-abcdef1-3.ipynb');
  });

  it('works at the root', () => {
    expect(restorePaths('Untitled.ipynb', 'ff00ff00').next().value).toBe(
      'Untitled-checkpoint-ff00ff0.ipynb'
    );
  });
});

describe('asRestoredCopy', () => {
  it('gives the copy its own id and remembers its origin', () => {
    const content = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: { name: 'python3', display_name: 'P' },
        experiments: { notebook_id: 'old', x: 1 }
      },
      cells: []
    };
    const copy = asRestoredCopy(
      content as any,
      { notebookId: 'old', commit: 'c1' },
      () => 'new'
    );
    expect(copy.metadata.experiments).toEqual({
      notebook_id: 'new',
      x: 1,
      restored_from: { notebook_id: 'old', commit: 'c1' }
    });
    expect(copy.metadata.kernelspec).toEqual(content.metadata.kernelspec);
    expect(content.metadata.experiments.notebook_id).toBe('old');
  });
});
