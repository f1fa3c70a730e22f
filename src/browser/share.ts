/**
 * Share links: a whole browser view (filter, sort, columns, grouping,
 * selection, scroll anchor) as one URL-safe string, `…/lab?experiments=<v>`,
 * and the route that opens such a URL in the Experiments browser.
 *
 * The string is base64url of a version byte and the view's JSON, with the
 * fields that equal the empty view left out. Decoding validates the shape
 * and returns null for anything else: a link is user input.
 */
import type { IRouter, JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { DisposableSet, IDisposable } from '@lumino/disposable';

import { parseCompareState, parseProgressState } from '../compare/state';
import {
  emptyViewState,
  IColumnState,
  IOrderKey,
  IViewState
} from './viewState';

/** The query parameter a share link carries its view in. */
export const SHARE_PARAM = 'experiments';

/** What the router matches: the parameter anywhere in the query string. */
export const SHARE_PATTERN = /[?&]experiments=/;

/** The command the route runs; it opens the browser on the decoded view. */
export const SHARE_ROUTE_COMMAND = 'experiments:open-shared-view';

/** The first byte of an encoded view: its format. */
const VERSION = 1;

/**
 * Longer encoded text is refused before it is decoded: no view worth sharing
 * comes near it, and it bounds the work a pasted link can cause.
 */
export const MAX_ENCODED_LENGTH = 1_000_000;

/**
 * A link longer than this drops its selection (the one part that grows with
 * the store): Jupyter Server refuses request lines beyond 64 KiB.
 */
export const MAX_LINK_LENGTH = 32_000;

/** A view as a compact URL-safe string. */
export function encodeViewState(state: IViewState): string {
  const empty = emptyViewState() as unknown as { [key: string]: unknown };
  const compact: { [key: string]: unknown } = {};
  for (const [key, value] of Object.entries(normalize(state))) {
    if (JSON.stringify(value) !== JSON.stringify(empty[key])) {
      compact[key] = value;
    }
  }
  const json = new TextEncoder().encode(JSON.stringify(compact));
  const bytes = new Uint8Array(json.length + 1);
  bytes[0] = VERSION;
  bytes.set(json, 1);
  return toBase64Url(bytes);
}

/** The view a string encodes, or null when it is not one (never throws). */
export function decodeViewState(text: unknown): IViewState | null {
  if (
    typeof text !== 'string' ||
    text.length > MAX_ENCODED_LENGTH ||
    !/^[A-Za-z0-9_-]+$/.test(text)
  ) {
    return null;
  }
  try {
    const bytes = fromBase64Url(text);
    if (bytes[0] !== VERSION) {
      return null;
    }
    const json = new TextDecoder('utf-8', { fatal: true }).decode(
      bytes.subarray(1)
    );
    return parseViewState(JSON.parse(json));
  } catch {
    return null;
  }
}

/**
 * A view from untrusted JSON (a link, a saved view): the fields it omits
 * are the empty view's; a field of the wrong shape makes it null. Unknown
 * fields are dropped.
 */
export function parseViewState(value: unknown): IViewState | null {
  if (!isObject(value)) {
    return null;
  }
  const state = emptyViewState();
  const { filter, orderBy, columns, groupBy, selection, anchor } = value;
  if (value.compare !== undefined) {
    const compare = parseCompareState(value.compare);
    if (!compare) {
      return null;
    }
    state.compare = compare;
  }
  if (value.progress !== undefined) {
    const progress = parseProgressState(value.progress);
    if (!progress) {
      return null;
    }
    state.progress = progress;
  }
  if (filter !== undefined) {
    if (typeof filter !== 'string') {
      return null;
    }
    state.filter = filter;
  }
  if (orderBy !== undefined) {
    const keys = arrayOf(orderBy, parseOrderKey);
    if (!keys) {
      return null;
    }
    state.orderBy = keys;
  }
  if (columns !== undefined) {
    const parsed = arrayOf(columns, parseColumn);
    if (!parsed) {
      return null;
    }
    state.columns = parsed;
  }
  if (groupBy !== undefined) {
    if (groupBy !== null && typeof groupBy !== 'string') {
      return null;
    }
    state.groupBy = groupBy;
  }
  if (selection !== undefined) {
    const ids = arrayOf(selection, id => (typeof id === 'string' ? id : null));
    if (!ids) {
      return null;
    }
    state.selection = ids;
  }
  if (anchor !== undefined) {
    if (anchor !== null && typeof anchor !== 'string') {
      return null;
    }
    state.anchor = anchor;
  }
  return state;
}

/** A share link, and what it had to leave out to stay openable. */
export interface IShareLink {
  url: string;
  omitted: 'selection'[];
}

/**
 * The page to share a view from: JupyterLab's own address (its share URL
 * when the server sets one), in the default workspace, with no document.
 */
export function defaultLabUrl(): string {
  return PageConfig.getUrl({
    toShare: true,
    mode: 'multiple-document',
    workspace: PageConfig.defaultWorkspace,
    treePath: ''
  });
}

/**
 * The URL that opens this view: `labUrl` (`defaultLabUrl()` in the app)
 * with the encoded view in its query.
 */
export function shareLink(
  state: IViewState,
  labUrl: string,
  maxLength = MAX_LINK_LENGTH
): IShareLink {
  const url = (s: IViewState) =>
    `${labUrl}${labUrl.includes('?') ? '&' : '?'}${SHARE_PARAM}=${encodeViewState(s)}`;
  const full = url(state);
  if (full.length <= maxLength || !state.selection.length) {
    return { url: full, omitted: [] };
  }
  return { url: url({ ...state, selection: [] }), omitted: ['selection'] };
}

/**
 * The view a location's query string carries: undefined without the
 * parameter, null when it cannot be read.
 */
export function readShareParam(search: string): IViewState | null | undefined {
  const value = new URLSearchParams(search).get(SHARE_PARAM);
  return value === null ? undefined : decodeViewState(value);
}

/**
 * Open share links: a URL whose query has `experiments=` runs `commandId`
 * (the open-browser command) with `{state}`, the decoded view. An unreadable
 * link opens the browser as it was and says so. The parameter is then taken
 * out of the address bar, so reloading the page does not apply it again.
 */
export function registerShareRoute(
  router: IRouter,
  commands: JupyterFrontEnd['commands'],
  commandId: string
): IDisposable {
  const disposables = new DisposableSet();
  disposables.add(
    commands.addCommand(SHARE_ROUTE_COMMAND, {
      label: 'Open a Shared Experiments View',
      describedBy: {
        args: {
          type: 'object',
          properties: {
            search: {
              type: 'string',
              description: 'The query string, with `experiments=<view>`'
            }
          }
        }
      },
      execute: async args => {
        // The router passes its location: `search` is the query string.
        const search = typeof args.search === 'string' ? args.search : '';
        const state = readShareParam(search);
        if (state === undefined) {
          return;
        }
        forgetShareParam();
        if (state === null) {
          Notification.warning(
            'This Experiments link could not be read: the browser opens with its current view.',
            { autoClose: 8000 }
          );
          await commands.execute(commandId, {});
          return;
        }
        await commands.execute(commandId, {
          state: state as unknown as ReadonlyPartialJSONObject
        });
      }
    })
  );
  disposables.add(
    router.register({ command: SHARE_ROUTE_COMMAND, pattern: SHARE_PATTERN })
  );
  return disposables;
}

/** Take the view out of the address bar, keeping the rest of the URL. */
function forgetShareParam(): void {
  try {
    const url = new URL(window.location.href);
    // Cut the parameter out of the text: re-serializing the query would
    // rewrite the others (`?reset` into `?reset=`).
    const search = url.search.replace(
      /([?&])experiments=[^&]*(&|$)/g,
      (_, lead: string, tail: string) => (tail ? lead : '')
    );
    if (search !== url.search) {
      url.search = search;
      window.history.replaceState(window.history.state, '', url.toString());
    }
  } catch {
    // No history to rewrite (an embedded frame): leave the URL.
  }
}

function normalize(state: IViewState): IViewState {
  return {
    filter: state.filter,
    orderBy: state.orderBy.map(({ key, descending }) => ({ key, descending })),
    columns: state.columns.map(({ id, width, pinned, hidden }) => ({
      id,
      ...(width !== undefined ? { width } : {}),
      ...(pinned ? { pinned } : {}),
      ...(hidden ? { hidden } : {})
    })),
    groupBy: state.groupBy,
    selection: [...state.selection],
    anchor: state.anchor,
    ...(state.compare ? { compare: state.compare } : {}),
    ...(state.progress ? { progress: state.progress } : {})
  };
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Each item parsed, or null if the value is no array or an item fails. */
function arrayOf<T>(value: unknown, parse: (item: unknown) => T | null) {
  if (!Array.isArray(value)) {
    return null;
  }
  const items: T[] = [];
  for (const item of value) {
    const parsed = parse(item);
    if (parsed === null) {
      return null;
    }
    items.push(parsed);
  }
  return items;
}

function parseOrderKey(value: unknown): IOrderKey | null {
  if (!isObject(value) || typeof value.key !== 'string' || !value.key) {
    return null;
  }
  if (value.descending !== undefined && typeof value.descending !== 'boolean') {
    return null;
  }
  return { key: value.key, descending: value.descending === true };
}

function parseColumn(value: unknown): IColumnState | null {
  if (!isObject(value) || typeof value.id !== 'string' || !value.id) {
    return null;
  }
  const { width, pinned, hidden } = value;
  const column: IColumnState = { id: value.id };
  if (width !== undefined) {
    if (typeof width !== 'number' || !Number.isFinite(width) || width <= 0) {
      return null;
    }
    column.width = width;
  }
  for (const [name, flag] of [
    ['pinned', pinned],
    ['hidden', hidden]
  ] as const) {
    if (flag !== undefined) {
      if (typeof flag !== 'boolean') {
        return null;
      }
      if (flag) {
        column[name] = true;
      }
    }
  }
  return column;
}

// base64url in chunks: `String.fromCharCode(...bytes)` overflows the stack
// on large arrays.
function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary)
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}
