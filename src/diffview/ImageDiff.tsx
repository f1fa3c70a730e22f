/**
 * Two images of an output compared four ways: side by side, a swipe that
 * reveals the new one over the old, an onion skin that fades between them,
 * and the pixels that differ, counted and highlighted on a canvas.
 */
import React, { useEffect, useRef, useState } from 'react';

import { errorMessage } from '../common/format';
import { IPixels, pixelCountText, pixelDifference } from './imageDiff';
import type { IImageSource } from './model';

export type ImageMode = 'side' | 'swipe' | 'onion' | 'pixels';

const MODES: [ImageMode, string][] = [
  ['side', 'Side by side'],
  ['swipe', 'Swipe'],
  ['onion', 'Onion skin'],
  ['pixels', 'Pixel difference']
];

export interface IImageDiffProps {
  old: IImageSource | null;
  new: IImageSource | null;
  labels: { old: string; new: string };
}

export function ImageDiff(props: IImageDiffProps): JSX.Element {
  const { labels } = props;
  const [mode, setMode] = useState<ImageMode>('side');
  // Swipe position and onion opacity, in percent.
  const [swipe, setSwipe] = useState(50);
  const [opacity, setOpacity] = useState(50);
  const before = props.old;
  const after = props.new;

  if (!before || !after) {
    // Only one side has an image: nothing to compare it with.
    const image = before ?? after;
    return (
      <div className="jp-ExperimentsDiff-image" data-mode="single">
        <div className="jp-ExperimentsDiff-sides">
          <Figure
            image={before}
            caption={labels.old}
            tint={before ? 'removed' : null}
          />
          <Figure
            image={after}
            caption={labels.new}
            tint={after ? 'added' : null}
          />
        </div>
        {!image && <span className="jp-Experiments-dim">No image</span>}
      </div>
    );
  }

  let body: JSX.Element;
  switch (mode) {
    case 'side':
      body = (
        <div className="jp-ExperimentsDiff-sides">
          <Figure image={before} caption={labels.old} tint="removed" />
          <Figure image={after} caption={labels.new} tint="added" />
        </div>
      );
      break;
    case 'swipe':
      body = (
        <>
          <Slider
            label={`Swipe: ${labels.new} left of the handle, ${labels.old} right of it`}
            value={swipe}
            onChange={setSwipe}
          />
          <div className="jp-ExperimentsDiff-stack">
            <div className="jp-ExperimentsDiff-layer">
              <img src={before.src} alt={labels.old} />
            </div>
            <div
              className="jp-ExperimentsDiff-layer jp-ExperimentsDiff-swipeLayer"
              // The new image shows left of the handle, the old one right of it.
              style={{ clipPath: `inset(0 ${100 - swipe}% 0 0)` }}
            >
              <img src={after.src} alt={labels.new} />
            </div>
            <div
              className="jp-ExperimentsDiff-swipeHandle"
              style={{ left: `${swipe}%` }}
              aria-hidden="true"
            />
          </div>
        </>
      );
      break;
    case 'onion':
      body = (
        <>
          <Slider
            label={`Opacity of ${labels.new}`}
            value={opacity}
            onChange={setOpacity}
          />
          <div className="jp-ExperimentsDiff-stack">
            <div className="jp-ExperimentsDiff-layer">
              <img src={before.src} alt={labels.old} />
            </div>
            <div
              className="jp-ExperimentsDiff-layer"
              style={{ opacity: opacity / 100 }}
            >
              <img src={after.src} alt={labels.new} />
            </div>
          </div>
        </>
      );
      break;
    case 'pixels':
      body = <PixelDifference old={before.src} new={after.src} />;
      break;
  }

  return (
    <div className="jp-ExperimentsDiff-image" data-mode={mode}>
      <div
        className="jp-ExperimentsDiff-imageModes"
        role="group"
        aria-label="Compare the images"
      >
        {MODES.map(([value, label]) => (
          <button
            key={value}
            type="button"
            className={`jp-ExperimentsBrowser-button${mode === value ? ' jp-mod-active' : ''}`}
            aria-pressed={mode === value}
            onClick={() => setMode(value)}
          >
            {label}
          </button>
        ))}
      </div>
      {body}
    </div>
  );
}

function Figure(props: {
  image: IImageSource | null;
  caption: string;
  tint: 'added' | 'removed' | null;
}): JSX.Element {
  const { image, caption, tint } = props;
  return (
    <figure
      className={`jp-ExperimentsDiff-figure${tint ? ` jp-mod-${tint}` : ''}`}
    >
      <figcaption>{caption}</figcaption>
      {image ? (
        <img src={image.src} alt={caption} />
      ) : (
        <span className="jp-Experiments-dim">—</span>
      )}
    </figure>
  );
}

function Slider(props: {
  label: string;
  value: number;
  onChange: (value: number) => void;
}): JSX.Element {
  return (
    <label className="jp-ExperimentsDiff-slider">
      <span>{props.label}</span>
      <input
        type="range"
        min={0}
        max={100}
        step={1}
        value={props.value}
        aria-label={props.label}
        onChange={event => props.onChange(Number(event.target.value))}
      />
    </label>
  );
}

type PixelState =
  | { status: 'working' }
  | { status: 'done'; count: number }
  | { status: 'error'; message: string };

/** The differing pixels drawn on a canvas, and how many there are. */
function PixelDifference(props: { old: string; new: string }): JSX.Element {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<PixelState>({ status: 'working' });
  useEffect(() => {
    let alive = true;
    setState({ status: 'working' });
    Promise.all([decodeImage(props.old), decodeImage(props.new)])
      .then(([a, b]) => {
        if (!alive) {
          return;
        }
        const difference = pixelDifference(a, b);
        const node = canvas.current;
        const context = node?.getContext('2d');
        if (node && context) {
          node.width = difference.width;
          node.height = difference.height;
          context.putImageData(
            new ImageData(difference.data, difference.width, difference.height),
            0,
            0
          );
        }
        setState({ status: 'done', count: difference.count });
      })
      .catch(reason => {
        if (alive) {
          setState({ status: 'error', message: errorMessage(reason) });
        }
      });
    return () => {
      alive = false;
    };
  }, [props.old, props.new]);
  return (
    <div className="jp-ExperimentsDiff-pixels">
      <div className="jp-ExperimentsDiff-pixelCount" aria-live="polite">
        {state.status === 'done'
          ? pixelCountText(state.count)
          : state.status === 'working'
            ? 'Comparing pixels…'
            : `The images could not be decoded: ${state.message}`}
      </div>
      <canvas
        ref={canvas}
        className="jp-ExperimentsDiff-pixelCanvas"
        hidden={state.status !== 'done'}
        aria-label="Differing pixels, highlighted"
      />
    </div>
  );
}

/** An image's pixels, decoded by the browser (every format it reads, SVG too). */
export async function decodeImage(src: string): Promise<IPixels> {
  const image = new Image();
  image.src = src;
  await image.decode();
  // An SVG without a size has no natural one: the browser's default box.
  const width = image.naturalWidth || 300;
  const height = image.naturalHeight || 150;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) {
    throw new Error('no 2D canvas');
  }
  context.drawImage(image, 0, 0, width, height);
  const data = context.getImageData(0, 0, width, height);
  return { width, height, data: data.data };
}
