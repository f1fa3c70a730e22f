/**
 * What every popup (a menu, a dropdown, a chooser) does: closes on a
 * mouse-down outside it or on Escape, and focuses its first item on opening.
 * A dialog the popup opened (naming a view, confirming) counts as inside.
 */
import { RefObject, useEffect, useRef } from 'react';

export interface IDismissOptions {
  /** Close on Escape too (default true). */
  escape?: boolean;
  /** A selector inside the popup to focus when it opens. */
  focus?: string;
}

export function useDismiss(
  open: boolean,
  node: RefObject<HTMLElement>,
  close: () => void,
  options: IDismissOptions = {}
): void {
  // The latest close, without re-subscribing on every render.
  const onClose = useRef(close);
  onClose.current = close;
  const { escape = true, focus } = options;
  useEffect(() => {
    if (!open) {
      return;
    }
    const outside = (event: MouseEvent) => {
      const target = event.target as Element | null;
      if (!node.current?.contains(target) && !target?.closest?.('.jp-Dialog')) {
        onClose.current();
      }
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !document.querySelector('.jp-Dialog')) {
        onClose.current();
      }
    };
    document.addEventListener('mousedown', outside, true);
    if (escape) {
      document.addEventListener('keydown', onKey, true);
    }
    if (focus) {
      node.current?.querySelector<HTMLElement>(focus)?.focus();
    }
    return () => {
      document.removeEventListener('mousedown', outside, true);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [open, escape, focus]);
}
