/**
 * The filter box as a React component: the editor, and under it the message
 * of a filter the server refused.
 */
import React, { useEffect, useRef } from 'react';

import type { IQueryClient } from '../../rest';
import { FilterEditor } from './editor';
import type { IFilterError } from './errors';

export interface IFilterBoxProps {
  /** Where keys and values for completion come from. */
  query: IQueryClient;
  /** The applied filter: the view's. */
  value: string;
  /** Why the server refused `value`, if it did. */
  error: IFilterError | null;
  /** Enter in the box. */
  onApply: (filter: string) => void;
  placeholder?: string;
}

export function FilterBox(props: IFilterBoxProps): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<FilterEditor | null>(null);
  // The editor outlives renders: it calls the latest callback.
  const onApply = useRef(props.onApply);
  onApply.current = props.onApply;

  useEffect(() => {
    const filterEditor = new FilterEditor({
      parent: host.current!,
      query: props.query,
      value: props.value,
      placeholder:
        props.placeholder ??
        "Filter: metrics.acc > 0.9 AND params.lr < 0.01 AND tags.stage = 'final'",
      onApply: filter => onApply.current(filter)
    });
    editor.current = filterEditor;
    return () => {
      editor.current = null;
      filterEditor.dispose();
    };
  }, [props.query]);

  useEffect(() => {
    if (editor.current && editor.current.applied !== props.value) {
      editor.current.setValue(props.value);
    }
  }, [props.value]);

  useEffect(() => {
    editor.current?.setError(props.error, props.value);
  }, [props.error, props.value]);

  return (
    <div className="jp-ExperimentsFilter">
      <div ref={host} className="jp-ExperimentsFilter-editor" />
      {props.error && (
        <div
          className="jp-ExperimentsFilter-message"
          role="alert"
          style={{
            color: 'var(--jp-error-color1)',
            fontSize: 'var(--jp-ui-font-size1)',
            padding: '2px 2px 0'
          }}
        >
          {props.error.message}
        </div>
      )}
    </div>
  );
}
