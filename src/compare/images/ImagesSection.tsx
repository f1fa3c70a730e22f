/**
 * The Compare panel's images: a block per key, a step slider, and under a
 * header of the runs (name, colour) the image each logged at that step.
 * An image enlarges in an overlay; Escape or a click closes it and gives the
 * focus back. Images come through `client.runs.imageUrl` as object URLs,
 * revoked when the step, the runs or the section change.
 */
import React, { useEffect, useMemo, useRef, useState } from 'react';

import { errorMessage } from '../../common/format';
import type { IExperimentsClient } from '../../rest/client';
import type { IRun, IRunImage } from '../../tokens';
import {
  IImageKey,
  imageAt,
  imageGrid,
  stepIndex,
  stepLabel,
  stepValue
} from './engine';
import { runName } from '../labels';

export interface IImagesSectionProps {
  client: IExperimentsClient;
  runs: readonly IRun[];
  /** One per run, index-aligned with `runs`. */
  colors: string[];
  /** Per key, the step its slider shows (see `engine.ts` for the null step). */
  steps: { [key: string]: number };
  onStepChange: (key: string, step: number) => void;
}

/**
 * Keys whose images load at once; the others wait until opened: each image
 * of each of up to 50 runs is a request.
 */
export const KEYS_OPEN = 6;

export function ImagesSection(props: IImagesSectionProps): JSX.Element {
  const { runs } = props;
  const grid = useMemo(() => imageGrid(runs), [runs]);
  if (grid.length === 0) {
    return (
      <div className="jp-ExperimentsCompare-images">
        <p className="jp-ExperimentsCompare-empty">
          None of these runs logged an image.
        </p>
      </div>
    );
  }
  return (
    <div className="jp-ExperimentsCompare-images">
      {grid.map((entry, i) => (
        <KeyBlock
          key={entry.key}
          entry={entry}
          initiallyOpen={i < KEYS_OPEN}
          {...props}
        />
      ))}
    </div>
  );
}

function KeyBlock(
  props: IImagesSectionProps & { entry: IImageKey; initiallyOpen: boolean }
): JSX.Element {
  const { entry, runs, colors, client, onStepChange } = props;
  const [open, setOpen] = useState(props.initiallyOpen);
  const index = stepIndex(entry.steps, props.steps[entry.key]);
  const step = entry.steps[index];
  const label = stepLabel(step);
  const sliderId = `jp-ExperimentsCompare-step-${useDomId()}`;
  return (
    <details
      className="jp-ExperimentsCompare-imageKey"
      data-image-key={entry.key}
      open={open}
      onToggle={event => setOpen((event.target as HTMLDetailsElement).open)}
    >
      <summary>
        <span className="jp-ExperimentsCompare-imageKeyName">{entry.key}</span>
        <span className="jp-ExperimentsCompare-dim">
          {entry.runCount} of {runs.length} runs · {entry.steps.length}{' '}
          {entry.steps.length === 1 ? 'step' : 'steps'}
        </span>
      </summary>
      {open && (
        <>
          <div className="jp-ExperimentsCompare-stepControl">
            <label htmlFor={sliderId}>Step</label>
            <input
              id={sliderId}
              type="range"
              className="jp-ExperimentsCompare-stepSlider"
              min={0}
              max={Math.max(0, entry.steps.length - 1)}
              step={1}
              value={index}
              disabled={entry.steps.length < 2}
              aria-valuetext={`step ${label}`}
              onChange={event => {
                const next = entry.steps[Number(event.target.value)];
                if (next !== undefined) {
                  onStepChange(entry.key, stepValue(next));
                }
              }}
            />
            <output
              className="jp-ExperimentsCompare-stepValue"
              htmlFor={sliderId}
              data-step={label}
            >
              {label}
            </output>
            <span className="jp-ExperimentsCompare-dim">
              {index + 1} / {entry.steps.length}
            </span>
          </div>
          <div className="jp-ExperimentsCompare-imageRow" role="list">
            {runs.map((run, i) => (
              <ImageCell
                key={run.id}
                client={client}
                run={run}
                color={colors[i]}
                imageKey={entry.key}
                image={imageAt(run, entry.key, step)}
                stepText={label}
              />
            ))}
          </div>
        </>
      )}
    </details>
  );
}

/** A stable id per component instance usable in a selector (no colons). */
function useDomId(): string {
  return React.useId().replace(/:/g, '');
}

function ImageCell(props: {
  client: IExperimentsClient;
  run: IRun;
  color: string | undefined;
  imageKey: string;
  image: IRunImage | null;
  stepText: string;
}): JSX.Element {
  const { client, run, image, imageKey } = props;
  const name = runName(run);
  const src = useObjectUrl(client, run.id, image?.id ?? null);
  const [enlarged, setEnlarged] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const alt = `${imageKey} of ${name} at step ${props.stepText}`;
  let body: React.ReactNode;
  if (!image || src.state === 'none') {
    body = (
      <div className="jp-ExperimentsCompare-noImage">No image at this step</div>
    );
  } else if (src.state === 'error') {
    body = (
      <div className="jp-ExperimentsCompare-imageError" role="alert">
        Could not load the image: {src.message}
      </div>
    );
  } else if (src.state === 'loading') {
    body = (
      <div className="jp-ExperimentsCompare-imageLoading" aria-busy="true">
        Loading…
      </div>
    );
  } else {
    body = (
      <button
        ref={trigger}
        className="jp-ExperimentsCompare-thumb"
        title="Enlarge"
        aria-label={`Enlarge ${alt}`}
        onClick={() => setEnlarged(true)}
      >
        <img src={src.url} alt={alt} />
      </button>
    );
  }
  return (
    <figure
      className="jp-ExperimentsCompare-imageCell"
      role="listitem"
      data-run-id={run.id}
      data-image-id={image?.id ?? ''}
    >
      <figcaption className="jp-ExperimentsCompare-runHeader" title={name}>
        <span
          className="jp-ExperimentsCompare-swatch"
          style={{ background: props.color }}
          aria-hidden="true"
        />
        <span className="jp-ExperimentsCompare-runName">{name}</span>
      </figcaption>
      {body}
      {enlarged && src.state === 'ready' && (
        <Overlay
          src={src.url}
          alt={alt}
          caption={`${name} · ${imageKey} · step ${props.stepText}`}
          onClose={() => {
            setEnlarged(false);
            trigger.current?.focus();
          }}
        />
      )}
    </figure>
  );
}

type ObjectUrl =
  | { state: 'none' }
  | { state: 'loading' }
  | { state: 'ready'; url: string }
  | { state: 'error'; message: string };

/** The object URL of a run's image, revoked when the image changes or the cell goes. */
function useObjectUrl(
  client: IExperimentsClient,
  runId: string,
  imageId: string | null
): ObjectUrl {
  // Tagged with the image it is of: a render for a new image never shows the
  // previous one's URL (revoked by then).
  const [value, setValue] = useState<{ of: string; url: ObjectUrl } | null>(
    null
  );
  const of = imageId === null ? '' : `${runId}\n${imageId}`;
  useEffect(() => {
    if (imageId === null) {
      return;
    }
    let live = true;
    let url: string | null = null;
    client.runs.imageUrl(runId, imageId).then(
      objectUrl => {
        if (live) {
          url = objectUrl;
          setValue({ of, url: { state: 'ready', url: objectUrl } });
        } else {
          URL.revokeObjectURL(objectUrl);
        }
      },
      reason => {
        if (live) {
          setValue({
            of,
            url: { state: 'error', message: errorMessage(reason) }
          });
        }
      }
    );
    return () => {
      live = false;
      if (url) {
        URL.revokeObjectURL(url);
      }
    };
  }, [client, runId, imageId]);
  if (imageId === null) {
    return { state: 'none' };
  }
  return value && value.of === of ? value.url : { state: 'loading' };
}

/** The enlarged image over the panel: Escape, or a click anywhere, closes it. */
function Overlay(props: {
  src: string;
  alt: string;
  caption: string;
  onClose: () => void;
}): JSX.Element {
  const { onClose } = props;
  const node = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    node.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        // Not JupyterLab's too: Escape here only closes the image.
        event.stopPropagation();
        event.preventDefault();
        close.current();
      } else if (event.key === 'Tab') {
        // Modal: the focus stays on the overlay until it closes.
        event.preventDefault();
        node.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, []);
  return (
    <div
      ref={node}
      className="jp-ExperimentsCompare-overlay"
      role="dialog"
      aria-modal="true"
      aria-label={props.caption}
      tabIndex={-1}
      onClick={() => close.current()}
    >
      <img
        className="jp-ExperimentsCompare-overlayImage"
        src={props.src}
        alt={props.alt}
      />
      <div className="jp-ExperimentsCompare-overlayCaption">
        {props.caption} · click or press Escape to close
      </div>
    </div>
  );
}
