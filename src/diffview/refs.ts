/**
 * What `experiments:diff` compares: a notebook file as it is now (its open
 * editor's content, unsaved edits included), a checkpoint by its commit id,
 * or a notebook's checkpoint (`path@commit`, `path@latest`). Pure.
 */
import type * as nbformat from '@jupyterlab/nbformat';

export type DiffRef =
  | { kind: 'file'; path: string }
  | { kind: 'checkpoint'; commit: string; path: string | null }
  | { kind: 'latest'; path: string };

const COMMIT = /^[0-9a-f]{40}$/;

/** A reference as typed; throws an Error saying what is accepted. */
export function parseRef(text: string): DiffRef {
  const ref = text.trim();
  if (!ref) {
    throw new Error(
      'Empty reference: give a notebook path, a checkpoint id, or path@checkpoint.'
    );
  }
  if (COMMIT.test(ref)) {
    return { kind: 'checkpoint', commit: ref, path: null };
  }
  const at = ref.lastIndexOf('@');
  if (at > 0) {
    const path = ref.slice(0, at);
    const version = ref.slice(at + 1);
    if (version === 'latest') {
      return { kind: 'latest', path };
    }
    if (COMMIT.test(version)) {
      return { kind: 'checkpoint', commit: version, path };
    }
    if (/^[0-9a-f]{4,39}$/.test(version)) {
      throw new Error(
        `"${version}" is a shortened checkpoint id: use the full 40-character id (History's "Copy id").`
      );
    }
  }
  if (/^[0-9a-f]{4,39}$/.test(ref)) {
    throw new Error(
      `"${ref}" is a shortened checkpoint id: use the full 40-character id (History's "Copy id").`
    );
  }
  return { kind: 'file', path: ref };
}

/** The reference as `parseRef` reads it back. */
export function formatRef(ref: DiffRef): string {
  switch (ref.kind) {
    case 'file':
      return ref.path;
    case 'latest':
      return `${ref.path}@latest`;
    case 'checkpoint':
      return ref.path ? `${ref.path}@${ref.commit}` : ref.commit;
  }
}

/** A column header: "analysis.ipynb @ 3f2a1c0", "analysis.ipynb (now)". */
export function refLabel(ref: DiffRef, commit?: string | null): string {
  const name = (path: string | null) =>
    path ? path.split('/').pop()! : 'checkpoint';
  switch (ref.kind) {
    case 'file':
      return `${name(ref.path)} (now)`;
    case 'latest':
      return commit
        ? `${name(ref.path)} @ ${commit.slice(0, 7)}`
        : `${name(ref.path)} @ latest`;
    case 'checkpoint':
      return `${name(ref.path)} @ ${ref.commit.slice(0, 7)}`;
  }
}

/** The notebook's language: language_info, then the kernelspec, then python. */
export function notebookLanguage(nb: nbformat.INotebookContent): string {
  const metadata = nb.metadata ?? {};
  return (
    (metadata.language_info as { name?: string } | undefined)?.name ??
    (metadata.kernelspec as { language?: string } | undefined)?.language ??
    'python'
  );
}

/**
 * The notebook as a script in the percent format (`# %%` cells, markdown as
 * comments), which editors and jupytext read back as cells.
 */
export function notebookToScript(
  nb: nbformat.INotebookContent,
  comment = '#'
): string {
  const text = (source: nbformat.MultilineString | undefined) =>
    Array.isArray(source) ? source.join('') : (source ?? '');
  const parts = (nb.cells ?? []).map(cell => {
    const source = text(cell.source).replace(/\n+$/, '');
    if (cell.cell_type === 'code') {
      return `${comment} %%\n${source}`;
    }
    const commented = source
      .split('\n')
      .map(line => (line ? `${comment} ${line}` : comment))
      .join('\n');
    return `${comment} %% [${cell.cell_type}]\n${commented}`;
  });
  return parts.join('\n\n') + '\n';
}

/** Where an exported side goes: next to the notebook, a name not yet taken. */
export function exportPaths(
  notebookPath: string,
  label: string,
  extension: '.ipynb' | '.py'
): string[] {
  const slash = notebookPath.lastIndexOf('/');
  const dir = slash >= 0 ? notebookPath.slice(0, slash + 1) : '';
  const stem = notebookPath.slice(slash + 1).replace(/\.ipynb$/, '');
  const safe = label.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  const base = `${dir}${stem}-${safe}`;
  return [
    `${base}${extension}`,
    ...Array.from({ length: 20 }, (_, i) => `${base}-${i + 2}${extension}`)
  ];
}
