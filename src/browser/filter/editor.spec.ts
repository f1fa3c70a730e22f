import { completionStatus, startCompletion } from '@codemirror/autocomplete';

import { FakeExperimentsClient } from '../../testing/fakeClient';
import { until } from '../../testing/notebooks';
import { FilterEditor } from './editor';
import { filterLanguage } from './language';

/** A key pressed in the editor, as the browser delivers it. */
function press(editor: FilterEditor, key: string): void {
  editor.view.contentDOM.dispatchEvent(
    new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true })
  );
}

/** Text inserted at the cursor (not typed: no completion starts). */
function insert(editor: FilterEditor, text: string): void {
  const { head } = editor.view.state.selection.main;
  editor.view.dispatch({
    changes: { from: head, insert: text },
    selection: { anchor: head + text.length }
  });
}

describe('FilterEditor', () => {
  let client: FakeExperimentsClient;
  let parent: HTMLElement;
  let applied: string[];
  let editor: FilterEditor;

  beforeEach(() => {
    client = new FakeExperimentsClient();
    parent = document.createElement('div');
    document.body.appendChild(parent);
    applied = [];
    editor = new FilterEditor({
      parent,
      query: client.query,
      value: 'status = "failed"',
      onApply: filter => applied.push(filter)
    });
  });

  afterEach(() => {
    editor.dispose();
    parent.remove();
  });

  it('applies the text on Enter and goes back to it on Escape', () => {
    editor.view.dispatch({
      changes: { from: 0, to: editor.value.length, insert: ' params.lr > 1 ' },
      selection: { anchor: 15 }
    });
    expect(editor.value).toBe(' params.lr > 1 ');
    press(editor, 'Enter');
    expect(applied).toEqual(['params.lr > 1']);
    expect(editor.applied).toBe('params.lr > 1');
    expect(editor.value).toBe('params.lr > 1');

    insert(editor, ' AND tags.x');
    expect(editor.value).toBe('params.lr > 1 AND tags.x');
    press(editor, 'Escape');
    expect(editor.value).toBe('params.lr > 1');
    expect(applied).toHaveLength(1);
  });

  it('closes completion at the first Escape, reverts at the second', async () => {
    client.query.storeKeys.params = ['lr'];
    editor.setValue('params.l');
    startCompletion(editor.view);
    await until(() => completionStatus(editor.view.state) === 'active');

    press(editor, 'Escape');
    expect(completionStatus(editor.view.state)).toBeNull();
    insert(editor, 'r');
    expect(editor.value).toBe('params.lr');

    press(editor, 'Escape');
    expect(editor.value).toBe('params.l');
  });

  it('keeps one line: a pasted newline becomes a space', () => {
    editor.view.dispatch({
      changes: { from: editor.value.length, insert: '\nAND\r\ntags.best' },
      userEvent: 'input.paste'
    });
    expect(editor.value).toBe('status = "failed" AND tags.best');
    expect(editor.view.state.doc.lines).toBe(1);
  });

  it('shows a filter set elsewhere without applying it', () => {
    editor.setValue('tags.best');
    expect(editor.value).toBe('tags.best');
    expect(editor.applied).toBe('tags.best');
    expect(applied).toEqual([]);
  });

  it('underlines where the server refused the filter, following edits', () => {
    editor.setValue('params.lr > ) OR x');
    editor.setError({
      position: 12,
      message: "at 12: expected a value, found ')'",
      expected: 'a value',
      found: ')'
    });
    let mark = parent.querySelector('.jp-ExperimentsFilter-errorMark');
    expect(mark?.textContent).toBe(')');
    expect(mark?.getAttribute('title')).toContain('expected a value');

    // Text typed before it: the mark moves with the `)`.
    editor.view.dispatch({ changes: { from: 0, insert: 'NOT ' } });
    mark = parent.querySelector('.jp-ExperimentsFilter-errorMark');
    expect(mark?.textContent).toBe(')');

    editor.setError(null);
    expect(parent.querySelector('.jp-ExperimentsFilter-errorMark')).toBeNull();
  });

  it('marks the end when the filter stops short', () => {
    editor.setValue('params.lr >');
    editor.setError({
      position: 11,
      message: 'at 11: expected a value, found end of input',
      expected: 'a value',
      found: 'end of input'
    });
    expect(
      parent.querySelector('.jp-ExperimentsFilter-errorEnd')
    ).not.toBeNull();
  });

  it('marks nothing for an error about other text', () => {
    editor.setValue('a = 1');
    editor.setError(
      { position: 0, message: 'x', expected: 'y', found: 'a' },
      'another filter'
    );
    expect(parent.querySelector('.jp-ExperimentsFilter-errorMark')).toBeNull();
  });

  it('refreshes the keys when it gets focus', async () => {
    editor.view.contentDOM.dispatchEvent(new FocusEvent('focus'));
    editor.view.contentDOM.dispatchEvent(new FocusEvent('focus'));
    await new Promise(resolve => setTimeout(resolve, 0));
    // One fetch in flight at a time.
    expect(client.callsTo('query.keys')).toHaveLength(1);
  });
});

describe('filterLanguage', () => {
  it('gives each token its highlighting tag', () => {
    const text = "metrics.acc >= 0.9 AND tags.x = 'a' OR started > -7d ;";
    const tree = filterLanguage.parser.parse(text);
    const nodes: string[] = [];
    tree.iterate({
      enter: node => {
        if (node.name !== 'Document' && node.from < node.to) {
          nodes.push(`${node.name}:${text.slice(node.from, node.to)}`);
        }
      }
    });
    expect(nodes).toEqual([
      'propertyName:metrics.acc',
      'operator:>=',
      'number:0.9',
      'keyword:AND',
      'propertyName:tags.x',
      'operator:=',
      "string:'a'",
      'keyword:OR',
      'propertyName:started',
      'operator:>',
      'atom:-7d',
      'invalid:;'
    ]);
  });
});
