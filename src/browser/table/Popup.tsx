/**
 * A small menu at a point (a right-click on a header or a row) that closes
 * on Escape, on a click outside, or once an item is chosen.
 */
import React, { useRef } from 'react';

import { useDismiss } from '../../common/useDismiss';

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
  useDismiss(true, node, props.onClose, { focus: 'button' });
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
