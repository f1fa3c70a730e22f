/**
 * A small menu at a point (a right-click on a header or a row) that closes
 * on Escape, on a click outside, or once an item is chosen.
 */
import React, { useEffect, useRef } from 'react';

export interface IPopupItem {
  label: string;
  onClick: () => void;
  disabled?: boolean;
  /** A line above this item. */
  separator?: boolean;
}

export function Popup(props: {
  x: number;
  y: number;
  items: IPopupItem[];
  onClose: () => void;
  label: string;
}): JSX.Element {
  const node = useRef<HTMLDivElement>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    const outside = (event: MouseEvent) => {
      if (!node.current?.contains(event.target as Node)) {
        onClose.current();
      }
    };
    const escape = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        onClose.current();
      }
    };
    document.addEventListener('mousedown', outside, true);
    document.addEventListener('keydown', escape, true);
    node.current?.querySelector('button')?.focus();
    return () => {
      document.removeEventListener('mousedown', outside, true);
      document.removeEventListener('keydown', escape, true);
    };
  }, []);
  return (
    <div
      ref={node}
      className="jp-ExperimentsPopup"
      role="menu"
      aria-label={props.label}
      style={{ left: props.x, top: props.y }}
    >
      {props.items.map((item, i) => (
        <button
          key={i}
          role="menuitem"
          className={item.separator ? 'jp-mod-separated' : ''}
          disabled={item.disabled}
          onClick={() => {
            props.onClose();
            item.onClick();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
