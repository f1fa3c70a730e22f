/**
 * A modified cell's outputs, pair by pair: text compared line by line,
 * images compared as images, anything else rendered side by side by
 * JupyterLab's renderers, untrusted.
 */
import type * as nbformat from '@jupyterlab/nbformat';
import type { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { OutputArea, OutputAreaModel } from '@jupyterlab/outputarea';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';
import React, { useLayoutEffect, useMemo, useRef, useState } from 'react';

import type { IOutputDiff } from '../diff/types';
import { ImageDiff } from './ImageDiff';
import {
  DiffLayout,
  imageOf,
  outputLabel,
  outputText,
  pairKind
} from './model';
import { scheduleMount, TextDiff } from './SourceDiff';

export interface IOutputsDiffProps {
  outputs: readonly IOutputDiff[];
  layout: DiffLayout;
  labels: { old: string; new: string };
  rendermime: IRenderMimeRegistry;
  languages: IEditorLanguageRegistry | null;
}

export function OutputsDiff(props: IOutputsDiffProps): JSX.Element {
  return (
    <div className="jp-ExperimentsDiff-outputs">
      {props.outputs.map((output, i) => (
        <OutputDiff key={i} {...props} output={output} />
      ))}
    </div>
  );
}

function OutputDiff(
  props: IOutputsDiffProps & { output: IOutputDiff }
): JSX.Element {
  const { output } = props;
  const [open, setOpen] = useState(false);
  const position = outputPosition(output);
  const label = outputLabel(output.new ?? output.old);
  if (output.kind === 'unchanged') {
    // Context only: folded, rendered when asked for.
    return (
      <div className="jp-ExperimentsDiff-output" data-kind="unchanged">
        <button
          type="button"
          className="jp-ExperimentsDiff-outputToggle"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {position} unchanged · {label}
        </button>
        {open && output.new && (
          <RenderedOutput output={output.new} rendermime={props.rendermime} />
        )}
      </div>
    );
  }
  return (
    <div
      className="jp-ExperimentsDiff-output"
      data-kind={output.kind}
      data-noise={output.noise}
    >
      <div className="jp-ExperimentsDiff-outputHeader">
        <span className={`jp-ExperimentsDiff-badge jp-mod-${output.kind}`}>
          {output.kind}
        </span>
        <span>{position}</span>
        <span className="jp-Experiments-dim">{label}</span>
        {output.noise && (
          <span
            className="jp-ExperimentsDiff-noise"
            title="Equal once timings, memory addresses, dates and the like are masked"
          >
            noise
          </span>
        )}
      </div>
      <OutputPair {...props} />
    </div>
  );
}

function OutputPair(
  props: IOutputsDiffProps & { output: IOutputDiff }
): JSX.Element {
  const { output, labels } = props;
  switch (pairKind(output)) {
    case 'text':
      return (
        <TextDiff
          old={output.old ? outputText(output.old) : null}
          new={output.new ? outputText(output.new) : null}
          layout={props.layout}
          language={null}
          languages={props.languages}
          label="Output text"
        />
      );
    case 'image':
      return (
        <ImageDiff
          old={imageOf(output.old)}
          new={imageOf(output.new)}
          labels={labels}
        />
      );
    default:
      return (
        <div className="jp-ExperimentsDiff-sides">
          <Side
            output={output.old}
            caption={labels.old}
            tint="removed"
            rendermime={props.rendermime}
          />
          <Side
            output={output.new}
            caption={labels.new}
            tint="added"
            rendermime={props.rendermime}
          />
        </div>
      );
  }
}

function Side(props: {
  output: nbformat.IOutput | null;
  caption: string;
  tint: 'added' | 'removed';
  rendermime: IRenderMimeRegistry;
}): JSX.Element {
  const { output } = props;
  return (
    <figure
      className={`jp-ExperimentsDiff-figure${output ? ` jp-mod-${props.tint}` : ''}`}
    >
      <figcaption>{props.caption}</figcaption>
      {output ? (
        <RenderedOutput output={output} rendermime={props.rendermime} />
      ) : (
        <span className="jp-Experiments-dim">No output</span>
      )}
    </figure>
  );
}

/** "Output 2", or "Output 2 → 3" when it moved among the cell's outputs. */
function outputPosition(output: IOutputDiff): string {
  const { oldIndex, newIndex } = output;
  if (oldIndex !== null && newIndex !== null && oldIndex !== newIndex) {
    return `Output ${oldIndex + 1} → ${newIndex + 1}`;
  }
  return `Output ${(newIndex ?? oldIndex ?? 0) + 1}`;
}

function RenderedOutput(props: {
  output: nbformat.IOutput;
  rendermime: IRenderMimeRegistry;
}): JSX.Element {
  // One array per output, not per render: a new one renders it again.
  const outputs = useMemo(() => [props.output], [props.output]);
  return <RenderedOutputs outputs={outputs} rendermime={props.rendermime} />;
}

/**
 * Outputs rendered by JupyterLab's output area, untrusted: HTML is sanitized
 * and scripts do not run, as for any untrusted notebook (the checkpoint may
 * hold outputs nobody trusted).
 */
export function RenderedOutputs(props: {
  outputs: nbformat.IOutput[];
  rendermime: IRenderMimeRegistry;
}): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const { outputs, rendermime } = props;
  // A layout effect: its cleanup runs while the host is still in the page,
  // where Lumino can detach the output area (after, it throws).
  useLayoutEffect(() => {
    const node = host.current;
    if (!node) {
      return;
    }
    let dispose = () => {};
    // A table or a plot can take a while to render: queued with the editors.
    const cancel = scheduleMount(() => {
      const model = new OutputAreaModel({ values: outputs, trusted: false });
      const area = new OutputArea({ model, rendermime });
      Widget.attach(area, node);
      dispose = () => {
        area.dispose();
        model.dispose();
      };
    });
    return () => {
      cancel();
      dispose();
    };
  }, [outputs, rendermime]);
  return outputs.length === 0 ? (
    <span className="jp-Experiments-dim">No output</span>
  ) : (
    <div ref={host} className="jp-ExperimentsDiff-rendered" />
  );
}
