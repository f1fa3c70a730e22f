import { NotebookModel } from '@jupyterlab/notebook';

import { CellIdOffers, lacksCellIds, upgradeToCellIds } from './cellIds';
import { referenceNotebooks } from '../testing/reference';

const NB_4_4 = 'papermill/nb_version_4.4.ipynb';

function loaded(name: string): NotebookModel {
  const found = referenceNotebooks().notebooks.find(([file]) => file === name);
  if (!found) {
    throw new Error(`reference notebook ${name} not found`);
  }
  const model = new NotebookModel();
  model.fromJSON(found[1]);
  return model;
}

describe('lacksCellIds', () => {
  it.each([
    [4, 0, true],
    [4, 4, true],
    [4, 5, false],
    [4, 6, false],
    [5, 0, false]
  ])('nbformat %i.%i: %s', (nbformat, minor, expected) => {
    expect(lacksCellIds({ nbformat, nbformat_minor: minor })).toBe(expected);
  });
});

describe('upgradeToCellIds', () => {
  it('makes a 4.4 notebook save the ids its cells were given on load', () => {
    const model = loaded(NB_4_4);
    // JupyterLab keeps the notebook at 4.4 and saves it without ids.
    expect(model.nbformatMinor).toBe(4);
    expect(model.toJSON().cells.some(cell => 'id' in cell)).toBe(false);

    upgradeToCellIds(model);

    const saved = model.toJSON();
    expect(saved.nbformat_minor).toBe(5);
    const ids = saved.cells.map(cell => cell.id as string);
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      expect(id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      Array.from(
        { length: model.cells.length },
        (_, i) => model.cells.get(i).id
      )
    );
    expect(saved.cells.map(cell => cell.source)).toEqual([
      '# Parameters\nvar = 1',
      'print(var)'
    ]);
    model.dispose();
  });
});

describe('CellIdOffers', () => {
  const old = { nbformat: 4, nbformat_minor: 4 };

  it('offers once per notebook, only to notebooks without cell ids', () => {
    const offers = new CellIdOffers();
    expect(offers.take('a.ipynb', old)).toBe(true);
    expect(offers.take('a.ipynb', old)).toBe(false);
    expect(offers.take('b.ipynb', { nbformat: 4, nbformat_minor: 2 })).toBe(
      true
    );
    expect(offers.take('c.ipynb', { nbformat: 4, nbformat_minor: 5 })).toBe(
      false
    );
  });

  it('offers nothing once the user said not to ask again', () => {
    const offers = new CellIdOffers();
    offers.enabled = false;
    expect(offers.take('a.ipynb', old)).toBe(false);
    offers.enabled = true;
    expect(offers.take('a.ipynb', old)).toBe(true);
  });
});
