/**
 * The filter box: a one-line CodeMirror editor with the grammar's
 * highlighting and completion. Enter applies the filter, Escape goes back to
 * the one applied; a filter the server refused is underlined where it
 * failed. Per keystroke it only tokenizes the line: completion filters its
 * lists locally and asks the server for values once typing pauses.
 */
import {
  autocompletion,
  closeCompletion,
  completionStatus,
  pickedCompletion,
  startCompletion
} from '@codemirror/autocomplete';
import { history, historyKeymap, standardKeymap } from '@codemirror/commands';
import {
  EditorSelection,
  EditorState,
  Prec,
  StateEffect,
  StateField,
  Transaction
} from '@codemirror/state';
import {
  Decoration,
  DecorationSet,
  EditorView,
  keymap,
  placeholder,
  WidgetType
} from '@codemirror/view';
import type { IDisposable } from '@lumino/disposable';

import type { IQueryClient } from '../../rest';
import { FilterCompletion } from './completion';
import { errorRange, IFilterError } from './errors';
import { filterHighlighting } from './language';

export interface IFilterEditorOptions {
  /** The element the editor is added to. */
  parent: HTMLElement;
  /** Where keys and values for completion come from. */
  query: IQueryClient;
  /** The filter applied when the box opens. */
  value?: string;
  placeholder?: string;
  /** Enter: the text to apply (trimmed). */
  onApply: (filter: string) => void;
  /** Milliseconds without typing before values are asked for. */
  debounce?: number;
}

const setError = StateEffect.define<IFilterError | null>();

/** A zero-width mark where the text ended before what was expected. */
class EndOfTextMark extends WidgetType {
  eq(): boolean {
    return true;
  }

  toDOM(): HTMLElement {
    const span = document.createElement('span');
    span.className = 'jp-ExperimentsFilter-errorEnd';
    span.setAttribute('aria-hidden', 'true');
    return span;
  }
}

/** The underline of a refused filter; it follows edits around it. */
const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    decorations = decorations.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setError)) {
        decorations = errorDecorations(tr.state.doc.toString(), effect.value);
      }
    }
    return decorations;
  },
  provide: field => EditorView.decorations.from(field)
});

function errorDecorations(
  text: string,
  error: IFilterError | null
): DecorationSet {
  if (!error) {
    return Decoration.none;
  }
  const { from, to } = errorRange(text, error);
  const decoration =
    from < to
      ? Decoration.mark({
          class: 'jp-ExperimentsFilter-errorMark',
          attributes: { title: error.message }
        }).range(from, to)
      : Decoration.widget({ widget: new EndOfTextMark(), side: 1 }).range(from);
  return Decoration.set([decoration]);
}

/** One line: a pasted newline becomes a space. */
const singleLine = EditorState.transactionFilter.of(tr => {
  if (!tr.docChanged || tr.newDoc.lines === 1) {
    return tr;
  }
  const text = tr.newDoc.toString().replace(/\r?\n|\r/g, ' ');
  return [
    tr,
    {
      changes: { from: 0, to: tr.newDoc.length, insert: text },
      selection: EditorSelection.cursor(
        Math.min(tr.newSelection.main.head, text.length)
      ),
      sequential: true
    }
  ];
});

const theme = EditorView.theme({
  '&': {
    border: 'var(--jp-border-width) solid var(--jp-border-color1)',
    borderRadius: '2px',
    background: 'var(--jp-layout-color0)',
    color: 'var(--jp-content-font-color1)',
    fontFamily: 'var(--jp-code-font-family)',
    fontSize: 'var(--jp-code-font-size)'
  },
  '&.cm-focused': {
    outline: 'none',
    borderColor: 'var(--jp-brand-color1)'
  },
  '.cm-content': {
    padding: '3px 0',
    caretColor: 'var(--jp-editor-cursor-color)'
  },
  '.cm-line': { padding: '0 6px' },
  '.cm-scroller': { overflowX: 'auto', overflowY: 'hidden' },
  '.cm-placeholder': { color: 'var(--jp-ui-font-color3)' },
  '.jp-ExperimentsFilter-errorMark': {
    textDecoration: 'underline wavy var(--jp-error-color1)',
    textUnderlineOffset: '3px'
  },
  '.jp-ExperimentsFilter-errorEnd': {
    display: 'inline-block',
    width: '0.6em',
    height: '1em',
    verticalAlign: 'text-bottom',
    borderBottom: '2px solid var(--jp-error-color1)'
  },
  '.cm-tooltip.cm-tooltip-autocomplete': {
    background: 'var(--jp-layout-color1)',
    border: 'var(--jp-border-width) solid var(--jp-border-color1)',
    color: 'var(--jp-ui-font-color1)'
  },
  '.cm-tooltip-autocomplete ul li[aria-selected]': {
    background: 'var(--jp-brand-color1)',
    color: 'var(--jp-ui-inverse-font-color1)'
  },
  '.cm-completionDetail': {
    marginLeft: '1em',
    color: 'var(--jp-ui-font-color2)',
    fontStyle: 'normal'
  }
});

/**
 * Identifier completions (by type): once one is picked, its operators are
 * offered at once. Not after values: Enter would pick AND, not apply.
 */
const CONTINUES = new Set(['property', 'variable', 'type', 'namespace']);

export class FilterEditor implements IDisposable {
  constructor(options: IFilterEditorOptions) {
    this._applied = options.value ?? '';
    this._onApply = options.onApply;
    this.completion = new FilterCompletion(options.query, {
      debounce: options.debounce
    });
    this.view = new EditorView({
      parent: options.parent,
      state: EditorState.create({
        doc: this._applied,
        extensions: [
          singleLine,
          history(),
          Prec.high(
            keymap.of([
              { key: 'Enter', run: () => this.apply() },
              { key: 'Escape', run: () => this.revert() }
            ])
          ),
          // Moves, deletions, undo; not the keys that add lines or indent.
          keymap.of(
            [...standardKeymap, ...historyKeymap].filter(
              binding => binding.key !== 'Enter' && binding.key !== 'Tab'
            )
          ),
          filterHighlighting(),
          autocompletion({
            override: [this.completion.source],
            icons: false,
            maxRenderedOptions: 60
          }),
          errorField,
          options.placeholder ? placeholder(options.placeholder) : [],
          EditorView.contentAttributes.of({
            'aria-label': 'Filter runs',
            spellcheck: 'false',
            autocapitalize: 'off',
            autocorrect: 'off'
          }),
          EditorView.domEventHandlers({
            // Runs may have logged new keys since the box last had focus.
            focus: () => this.completion.keys.refresh()
          }),
          EditorView.updateListener.of(update => {
            for (const tr of update.transactions) {
              const picked = tr.annotation(pickedCompletion);
              if (picked && CONTINUES.has(picked.type ?? '')) {
                queueMicrotask(() => startCompletion(this.view));
              }
            }
          }),
          theme
        ]
      })
    });
  }

  readonly view: EditorView;
  readonly completion: FilterCompletion;

  /** The text in the box. */
  get value(): string {
    return this.view.state.doc.toString();
  }

  /** The filter last applied (or set). */
  get applied(): string {
    return this._applied;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Show a filter applied elsewhere (a saved view, a share link). */
  setValue(filter: string): void {
    this._applied = filter;
    if (filter !== this.value) {
      this.view.dispatch({
        changes: { from: 0, to: this.view.state.doc.length, insert: filter },
        selection: EditorSelection.cursor(filter.length),
        annotations: Transaction.addToHistory.of(false)
      });
    }
  }

  /**
   * Underline where `filter` was refused; nothing when the box holds other
   * text by now. Null clears it.
   */
  setError(error: IFilterError | null, filter = this.value): void {
    this.view.dispatch({
      effects: setError.of(error && filter === this.value ? error : null)
    });
  }

  /** Apply the text in the box (Enter). */
  apply(): boolean {
    const filter = this.value.trim();
    closeCompletion(this.view);
    // The box shows what was applied, as the view will hand it back.
    this.setValue(filter);
    this.setError(null);
    this._onApply(filter);
    return true;
  }

  /** Back to the applied filter (Escape); a first Escape closes completion. */
  revert(): boolean {
    if (completionStatus(this.view.state) !== null) {
      return closeCompletion(this.view);
    }
    if (this.value === this._applied) {
      return false;
    }
    this.view.dispatch({
      changes: {
        from: 0,
        to: this.view.state.doc.length,
        insert: this._applied
      },
      selection: EditorSelection.cursor(this._applied.length)
    });
    return true;
  }

  focus(): void {
    this.view.focus();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.view.destroy();
  }

  private _applied: string;
  private _onApply: (filter: string) => void;
  private _isDisposed = false;
}
