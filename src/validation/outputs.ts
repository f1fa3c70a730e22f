/**
 * Turn a kernel's IOPub messages into nbformat outputs, the way JupyterLab's
 * output area does, for every code cell of a run at once. Pure.
 *
 * - consecutive stream messages of one stream merge into one output;
 * - `clear_output` clears the cell now, or with `wait` at its next output;
 * - `update_display_data`, and a new display with a display id already shown,
 *   replace every output shown with that id, in whichever cell of the run it
 *   was shown (a later cell may update an earlier cell's output, so the
 *   caller is told which cells changed).
 */
import type { IOutput, MultilineString } from '@jupyterlab/nbformat';

/** The parts of an IOPub message this reads. */
export interface IIOPubLike {
  header: { msg_type: string };
  content: any;
}

interface IDisplayRef {
  cell: number;
  output: IOutput;
}

export class RunOutputs {
  /** Outputs of a cell (the list is live while the cell runs). */
  outputs(cell: number): IOutput[] {
    let list = this._cells.get(cell);
    if (!list) {
      list = [];
      this._cells.set(cell, list);
    }
    return list;
  }

  /**
   * Apply one message sent while `cell` executed.
   *
   * @returns the cells whose outputs changed: usually `[cell]`, more for a
   *   display update, none for messages that carry no output.
   */
  apply(cell: number, message: IIOPubLike): number[] {
    const content = message.content ?? {};
    switch (message.header.msg_type) {
      case 'stream':
        return this._add(cell, {
          output_type: 'stream',
          name: content.name,
          text: joined(content.text)
        });
      case 'display_data':
        return this._add(
          cell,
          {
            output_type: 'display_data',
            data: content.data ?? {},
            metadata: content.metadata ?? {}
          },
          content.transient?.display_id
        );
      case 'execute_result':
        return this._add(
          cell,
          {
            output_type: 'execute_result',
            execution_count: content.execution_count ?? null,
            data: content.data ?? {},
            metadata: content.metadata ?? {}
          },
          content.transient?.display_id
        );
      case 'error':
        return this._add(cell, {
          output_type: 'error',
          ename: content.ename ?? '',
          evalue: content.evalue ?? '',
          traceback: content.traceback ?? []
        });
      case 'clear_output':
        if (content.wait) {
          this._clearPending.add(cell);
          return [];
        }
        return this._clear(cell) ? [cell] : [];
      case 'update_display_data':
        return this._update(content);
      default:
        return [];
    }
  }

  private _add(cell: number, output: IOutput, displayId?: unknown): number[] {
    if (this._clearPending.has(cell)) {
      this._clear(cell);
    }
    const list = this.outputs(cell);
    const last = list[list.length - 1];
    if (
      output.output_type === 'stream' &&
      last?.output_type === 'stream' &&
      last.name === output.name
    ) {
      last.text = (last.text as string) + (output.text as string);
    } else {
      list.push(output);
    }
    if (typeof displayId !== 'string' || !displayId) {
      return [cell];
    }
    // Showing a display id again updates every output already showing it.
    const changed = this._update({
      ...output,
      transient: { display_id: displayId }
    });
    const refs = this._displays.get(displayId) ?? [];
    refs.push({ cell, output });
    this._displays.set(displayId, refs);
    return Array.from(new Set([cell, ...changed]));
  }

  private _clear(cell: number): boolean {
    this._clearPending.delete(cell);
    const list = this.outputs(cell);
    if (list.length === 0) {
      return false;
    }
    const gone = new Set(list);
    for (const [id, refs] of this._displays) {
      const kept = refs.filter(ref => !gone.has(ref.output));
      if (kept.length) {
        this._displays.set(id, kept);
      } else {
        this._displays.delete(id);
      }
    }
    list.length = 0;
    return true;
  }

  private _update(content: any): number[] {
    const refs = this._displays.get(content.transient?.display_id);
    if (!refs) {
      return [];
    }
    const changed = new Set<number>();
    for (const { cell, output } of refs) {
      output.data = content.data ?? {};
      output.metadata = content.metadata ?? {};
      changed.add(cell);
    }
    return Array.from(changed);
  }

  private _cells = new Map<number, IOutput[]>();
  private _clearPending = new Set<number>();
  private _displays = new Map<string, IDisplayRef[]>();
}

function joined(text: MultilineString | undefined): string {
  return Array.isArray(text) ? text.join('') : (text ?? '');
}
