/**
 * Text compared line by line in read-only CodeMirror 6 editors: a merge view
 * (side by side) or a unified one, unchanged stretches folded, highlighted
 * with the cell's language once it has loaded. One added or removed text is
 * a single editor, tinted.
 */
import { MergeView, unifiedMergeView } from '@codemirror/merge';
import { Compartment, EditorState, Extension } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { IEditorLanguageRegistry, jupyterTheme } from '@jupyterlab/codemirror';
import React, { useEffect, useRef } from 'react';

import type { DiffLayout } from './model';

/** Lines kept around a change when the unchanged ones fold. */
const COLLAPSE = { margin: 3, minSize: 4 };

/** Pixel height of a line, to hold a row's place until its editor exists. */
const LINE_HEIGHT = 17;
const PLACEHOLDER_LINES = 12;

/**
 * The merge view's colours from theme variables (defined in diff.css for
 * light and dark): CodeMirror's own are fixed light/dark literals.
 */
const diffTheme = EditorView.theme({
  '&.cm-merge-a .cm-changedLine, .cm-deletedChunk': {
    backgroundColor: 'var(--jp-ExperimentsDiff-removed-line)'
  },
  '&.cm-merge-b .cm-changedLine, .cm-inlineChangedLine': {
    backgroundColor: 'var(--jp-ExperimentsDiff-added-line)'
  },
  '&.cm-merge-a .cm-changedText, .cm-deletedChunk .cm-deletedText': {
    background: 'var(--jp-ExperimentsDiff-removed-text)'
  },
  '&.cm-merge-b .cm-changedText': {
    background: 'var(--jp-ExperimentsDiff-added-text)'
  },
  '&.cm-merge-b .cm-deletedText': {
    background: 'var(--jp-ExperimentsDiff-removed-text)'
  },
  '&.cm-merge-a .cm-changedLineGutter, .cm-deletedLineGutter': {
    background: 'var(--jp-error-color1)'
  },
  '&.cm-merge-b .cm-changedLineGutter': {
    background: 'var(--jp-success-color1)'
  },
  '.cm-collapsedLines': {
    color: 'var(--jp-ui-font-color2)',
    background: 'var(--jp-layout-color2)'
  },
  '.cm-gutters': {
    borderRight: 'none'
  }
});

/** Read-only, wrapped, numbered, JupyterLab's editor look. */
function baseExtensions(
  language: Compartment,
  support: Extension | null
): Extension[] {
  return [
    EditorState.readOnly.of(true),
    EditorView.editable.of(false),
    EditorView.lineWrapping,
    lineNumbers(),
    jupyterTheme,
    diffTheme,
    language.of(support ?? [])
  ];
}

// --- Languages ---

/**
 * Languages already loaded, by name: an editor built after its language
 * loaded starts with it, instead of being reconfigured (a second style pass).
 */
const loadedSupports = new Map<string, Extension | null>();

const supports = new WeakMap<
  IEditorLanguageRegistry,
  Map<string, Promise<Extension | null>>
>();

/** The highlighting for a language name (cached per registry); null: none. */
export function languageSupport(
  languages: IEditorLanguageRegistry | null,
  name: string | null
): Promise<Extension | null> {
  if (!languages || !name) {
    return Promise.resolve(null);
  }
  let cache = supports.get(languages);
  if (!cache) {
    cache = new Map();
    supports.set(languages, cache);
  }
  let support = cache.get(name);
  if (!support) {
    support = (async () => {
      const found = languages.findBest(name);
      if (!found) {
        return null;
      }
      const loaded = await languages.getLanguage(found);
      return loaded?.support ?? null;
    })().catch(() => null);
    support.then(loaded => loadedSupports.set(`${name}`, loaded));
    cache.set(name, support);
  }
  return support;
}

// --- Creating editors (and rendered outputs) a few per frame ---

/** Milliseconds of editor creation per animation frame. */
const FRAME_BUDGET_MS = 8;
/**
 * No editor is built while the user scrolls, nor this long after: building
 * one costs ~20 ms of forced style work, so a scroll that built one a frame
 * had every frame over budget. Rows show their text meanwhile.
 */
const SCROLL_IDLE_MS = 120;
const queue: (() => void)[] = [];
let frame = 0;
let idleTimer: ReturnType<typeof setTimeout> | null = null;
let lastScroll = -Infinity;

/** A diff panel scrolled: editor building waits until scrolling pauses. */
export function noteScroll(): void {
  lastScroll = performance.now();
}

/**
 * Run `task` in a coming animation frame, with the others queued, within a
 * budget per frame: a scroll that mounts ten rows does not build their
 * twenty editors (or render their outputs) in one long frame. Returns a
 * cancel.
 */
export function scheduleMount(task: () => void): () => void {
  queue.push(task);
  if (!frame) {
    frame = requestAnimationFrame(runQueue);
  }
  return () => {
    const at = queue.indexOf(task);
    if (at >= 0) {
      queue.splice(at, 1);
    }
  };
}

function runQueue(): void {
  frame = 0;
  const start = performance.now();
  const quiet = start - lastScroll;
  if (quiet < SCROLL_IDLE_MS) {
    if (idleTimer === null) {
      idleTimer = setTimeout(() => {
        idleTimer = null;
        if (!frame && queue.length > 0) {
          frame = requestAnimationFrame(runQueue);
        }
      }, SCROLL_IDLE_MS - quiet);
    }
    return;
  }
  // At least one a frame, however slow.
  do {
    queue.shift()?.();
  } while (queue.length > 0 && performance.now() - start < FRAME_BUDGET_MS);
  if (queue.length > 0) {
    frame = requestAnimationFrame(runQueue);
  }
}

// --- The component ---

/**
 * A huge text (a 5 MB single-line output) is shown clipped: CodeMirror lays
 * out a line whole, and a diff of megabytes would hold the page.
 */
export const MAX_SHOWN_CHARS = 200_000;

/** Bounded diffs: past these, the merge view falls back to a coarser diff. */
const DIFF_CONFIG = { scanLimit: 5000, timeout: 100 };

/** The text as shown, and how long it was, when it was clipped. */
export function clip(text: string | null): [string | null, number | null] {
  return text !== null && text.length > MAX_SHOWN_CHARS
    ? [text.slice(0, MAX_SHOWN_CHARS), text.length]
    : [text, null];
}

export interface ITextDiffProps {
  /** The old text; null: there is none (an added cell or output). */
  old: string | null;
  /** The new text; null: there is none (a removed cell or output). */
  new: string | null;
  layout: DiffLayout;
  /** The language to highlight (a name `findBest` knows), or null. */
  language: string | null;
  languages: IEditorLanguageRegistry | null;
  /** A single text's tint: by the side it is on unless given. */
  tint?: 'added' | 'removed' | 'none';
  label?: string;
}

/**
 * Two texts compared, or one shown. The editors are built in a later frame
 * (see `scheduleMount`) and destroyed with the component: only mounted
 * rows have any.
 */
export function TextDiff(props: ITextDiffProps): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const { layout, language, languages } = props;
  const [oldText, oldLength] = clip(props.old);
  const [newText, newLength] = clip(props.new);
  const clipped = Math.max(oldLength ?? 0, newLength ?? 0);
  const single = oldText === null || newText === null;
  const tint =
    props.tint ??
    (oldText === null ? 'added' : newText === null ? 'removed' : 'none');

  useEffect(() => {
    const node = host.current;
    if (!node || (oldText === null && newText === null)) {
      return;
    }
    const lines = Math.max(lineCount(oldText ?? ''), lineCount(newText ?? ''));
    node.style.minHeight = `${Math.min(lines, PLACEHOLDER_LINES) * LINE_HEIGHT}px`;
    // Until its editor is built (not while the user scrolls), a row shows
    // its text as plain text: one text node, no layout work to speak of.
    const placeholder = document.createElement('pre');
    placeholder.className = 'jp-ExperimentsDiff-pending';
    placeholder.textContent = newText ?? oldText ?? '';
    node.appendChild(placeholder);
    const compartment = new Compartment();
    let views: EditorView[] = [];
    let destroy = () => {};
    let alive = true;
    const cancel = scheduleMount(() => {
      placeholder.remove();
      const preloaded = language ? loadedSupports.get(language) : undefined;
      const extensions = baseExtensions(compartment, preloaded ?? null);
      if (oldText === null || newText === null) {
        const view = new EditorView({
          state: EditorState.create({
            doc: oldText ?? newText ?? '',
            extensions
          }),
          parent: node
        });
        views = [view];
        destroy = () => view.destroy();
      } else if (layout === 'split') {
        const merge = new MergeView({
          a: { doc: oldText, extensions },
          b: { doc: newText, extensions },
          parent: node,
          collapseUnchanged: COLLAPSE,
          gutter: true,
          highlightChanges: true,
          diffConfig: DIFF_CONFIG
        });
        views = [merge.a, merge.b];
        destroy = () => merge.destroy();
      } else {
        const view = new EditorView({
          state: EditorState.create({
            doc: newText,
            extensions: [
              ...extensions,
              unifiedMergeView({
                original: oldText,
                mergeControls: false,
                collapseUnchanged: COLLAPSE,
                gutter: true,
                highlightChanges: true,
                diffConfig: DIFF_CONFIG
              })
            ]
          }),
          parent: node
        });
        views = [view];
        destroy = () => view.destroy();
      }
      node.style.minHeight = '';
      if (preloaded !== undefined) {
        return;
      }
      void languageSupport(languages, language).then(support => {
        if (alive && support) {
          for (const view of views) {
            view.dispatch({ effects: compartment.reconfigure(support) });
          }
        }
      });
    });
    return () => {
      alive = false;
      cancel();
      destroy();
      placeholder.remove();
    };
  }, [oldText, newText, layout, language, languages]);

  if (oldText === null && newText === null) {
    return <></>;
  }
  return (
    <>
      {clipped > 0 && (
        <div className="jp-ExperimentsDiff-clipped">
          Showing the first {MAX_SHOWN_CHARS.toLocaleString()} of{' '}
          {clipped.toLocaleString()} characters.
        </div>
      )}
      <div
        ref={host}
        className={`jp-ExperimentsDiff-editor jp-mod-${single ? tint : layout}`}
        role="group"
        aria-label={props.label}
      />
    </>
  );
}

function lineCount(text: string): number {
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    count++;
  }
  return count;
}
