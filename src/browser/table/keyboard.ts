/**
 * The table's keys, as actions on the model: pure, so the mapping is tested
 * without a DOM.
 */

export type TableAction =
  | { type: 'move'; delta: number; extend: boolean }
  | { type: 'to'; index: 'first' | 'last'; extend: boolean }
  | { type: 'toggle' }
  | { type: 'open' }
  | { type: 'clear' };

export interface IKey {
  key: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** What a key does in the table, or null (left to the browser). */
export function keyAction(event: IKey, pageRows: number): TableAction | null {
  if (event.altKey || event.ctrlKey || event.metaKey) {
    return null;
  }
  const extend = Boolean(event.shiftKey);
  switch (event.key) {
    case 'ArrowDown':
      return { type: 'move', delta: 1, extend };
    case 'ArrowUp':
      return { type: 'move', delta: -1, extend };
    case 'PageDown':
      return { type: 'move', delta: Math.max(1, pageRows - 1), extend };
    case 'PageUp':
      return { type: 'move', delta: -Math.max(1, pageRows - 1), extend };
    case 'Home':
      return { type: 'to', index: 'first', extend };
    case 'End':
      return { type: 'to', index: 'last', extend };
    case ' ':
    case 'Spacebar':
      return { type: 'toggle' };
    case 'Enter':
      return { type: 'open' };
    case 'Escape':
      return { type: 'clear' };
    default:
      return null;
  }
}
