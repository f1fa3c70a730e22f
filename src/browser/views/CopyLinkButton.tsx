/**
 * "Copy link": the current view as a share link on the clipboard.
 */
import { linkIcon } from '@jupyterlab/ui-components';
import React, { useEffect, useRef, useState } from 'react';

import { errorMessage } from '../../common/format';
import { defaultLabUrl, shareLink } from '../share';
import type { IViewState } from '../viewState';
import { copyText } from './copy';

export interface ICopyLinkButtonProps {
  /** The view the link opens. */
  state: IViewState;
  /** The page the link points to; JupyterLab's own by default. */
  labUrl?: string;
}

/** How long the confirmation stays, in ms. */
const NOTE_MS = 4000;

export function CopyLinkButton(props: ICopyLinkButtonProps): JSX.Element {
  const [note, setNote] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current !== null) {
        clearTimeout(timer.current);
      }
    },
    []
  );

  const copy = async () => {
    const link = shareLink(props.state, props.labUrl ?? defaultLabUrl());
    let message: string;
    try {
      await copyText(link.url);
      message = link.omitted.length
        ? 'Link copied, without the selection: too many runs for a link.'
        : 'Link copied.';
    } catch (reason) {
      message = `The link could not be copied: ${errorMessage(reason)}`;
    }
    setNote(message);
    if (timer.current !== null) {
      clearTimeout(timer.current);
    }
    timer.current = setTimeout(() => setNote(null), NOTE_MS);
  };

  return (
    <span className="jp-ExperimentsCopyLink">
      <button
        type="button"
        className="jp-mod-styled jp-ExperimentsCopyLink-button"
        title="Copy a link that opens this view: filter, sort, columns, grouping and selection"
        onClick={() => void copy()}
      >
        <linkIcon.react tag="span" elementPosition="center" />
        <span>Copy link</span>
      </button>
      <span className="jp-ExperimentsCopyLink-note" role="status">
        {note}
      </span>
    </span>
  );
}
