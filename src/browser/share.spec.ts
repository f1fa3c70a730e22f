import { Notification } from '@jupyterlab/apputils';
import { CommandRegistry } from '@lumino/commands';

import {
  decodeViewState,
  encodeViewState,
  MAX_ENCODED_LENGTH,
  parseViewState,
  readShareParam,
  registerShareRoute,
  SHARE_PATTERN,
  SHARE_ROUTE_COMMAND,
  shareLink
} from './share';
import { emptyViewState, IViewState } from './viewState';

const VIEW: IViewState = {
  filter: "metrics.acc.max > 0.9 OR tags.`best run` = 'yes ✓'",
  orderBy: [
    { key: 'metrics.acc', descending: true },
    { key: 'params.lr', descending: false }
  ],
  columns: [
    { id: 'name', width: 180, pinned: true },
    { id: 'params.`a.b`' },
    { id: 'metrics.loss.min', hidden: true }
  ],
  groupBy: 'params.optimizer',
  selection: ['r1', 'r2'],
  anchor: 'r7'
};

/** base64url of arbitrary bytes, to hand-craft encodings. */
function encodeBytes(bytes: number[]): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const encodeJson = (value: unknown) =>
  encodeBytes([1, ...new TextEncoder().encode(JSON.stringify(value))]);

describe('encodeViewState / decodeViewState', () => {
  it('round-trips a view, unicode and quoted keys included', () => {
    const encoded = encodeViewState(VIEW);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeViewState(encoded)).toEqual(VIEW);
  });

  it('round-trips the empty view in a few characters', () => {
    const encoded = encodeViewState(emptyViewState());
    expect(encoded.length).toBeLessThan(8);
    expect(decodeViewState(encoded)).toEqual(emptyViewState());
  });

  it('keeps a view with no sort apart from the default sort', () => {
    const unsorted = { ...emptyViewState(), orderBy: [] };
    expect(decodeViewState(encodeViewState(unsorted))).toEqual(unsorted);
  });

  it('leaves out column flags that are off and fields it does not know', () => {
    const state = {
      ...emptyViewState(),
      columns: [{ id: 'name', pinned: false, hidden: false, color: 'red' }]
    } as unknown as IViewState;
    expect(decodeViewState(encodeViewState(state))!.columns).toEqual([
      { id: 'name' }
    ]);
  });

  it('returns null for garbage, never throwing', () => {
    const garbage: unknown[] = [
      '',
      'a',
      '!!!!',
      'not base64 at all',
      '%7B%7D',
      encodeViewState(VIEW).slice(0, 20),
      encodeBytes([2, ...new TextEncoder().encode('{}')]),
      encodeBytes([1, 0xff, 0xfe, 0xfd]),
      encodeBytes([1, ...new TextEncoder().encode('{"filter": ')]),
      encodeJson(null),
      encodeJson([]),
      encodeJson('view'),
      encodeJson({ filter: 3 }),
      encodeJson({ orderBy: [{ key: 'name', descending: 'yes' }] }),
      encodeJson({ orderBy: [{ key: '' }] }),
      encodeJson({ orderBy: {} }),
      encodeJson({ columns: [{ id: 'name', width: -1 }] }),
      encodeJson({ columns: [{ id: 'name', width: 'wide' }] }),
      encodeJson({ columns: [{ id: 'name', pinned: 1 }] }),
      encodeJson({ columns: ['name'] }),
      encodeJson({ groupBy: 4 }),
      encodeJson({ selection: ['r1', 2] }),
      encodeJson({ anchor: {} }),
      null,
      undefined,
      42,
      { filter: '' }
    ];
    for (const text of garbage) {
      expect(decodeViewState(text)).toBeNull();
    }
  });

  it('returns null for random strings', () => {
    // A fixed linear congruential sequence: the same strings at every run.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const alphabet =
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let n = 0; n < 500; n++) {
      const length = next() % 200;
      let text = '';
      for (let i = 0; i < length; i++) {
        text += alphabet[next() % alphabet.length];
      }
      // Random base64url of version 1 is almost never valid JSON: null is
      // the answer unless it happens to decode to a view.
      const decoded = decodeViewState(text);
      expect(decoded === null || parseViewState(decoded) !== null).toBe(true);
    }
  });

  it('refuses a huge input before decoding it', () => {
    const huge = 'A'.repeat(MAX_ENCODED_LENGTH + 1);
    const start = performance.now();
    expect(decodeViewState(huge)).toBeNull();
    expect(performance.now() - start).toBeLessThan(50);
  });

  it('round-trips a large view', () => {
    const state: IViewState = {
      ...VIEW,
      columns: Array.from({ length: 300 }, (_, i) => ({
        id: `params.p${i}`,
        width: 80 + i
      })),
      selection: Array.from({ length: 10_000 }, (_, i) => `run-${i}`)
    };
    expect(decodeViewState(encodeViewState(state))).toEqual(state);
  });
});

describe('parseViewState', () => {
  it('fills what a saved view leaves out from the empty view', () => {
    expect(parseViewState({ filter: 'status = "failed"' })).toEqual({
      ...emptyViewState(),
      filter: 'status = "failed"'
    });
  });
});

describe('shareLink', () => {
  it('puts the encoded view in the query of the lab URL', () => {
    const { url, omitted } = shareLink(VIEW, 'http://host/base/lab');
    expect(omitted).toEqual([]);
    const parsed = new URL(url);
    expect(parsed.pathname).toBe('/base/lab');
    expect(SHARE_PATTERN.test(parsed.search)).toBe(true);
    expect(readShareParam(parsed.search)).toEqual(VIEW);
  });

  it('appends to a query the lab URL already has', () => {
    const { url } = shareLink(VIEW, 'http://host/lab?reset');
    expect(readShareParam(new URL(url).search)).toEqual(VIEW);
  });

  it('drops a selection too large for a URL, and says so', () => {
    const state = {
      ...VIEW,
      selection: Array.from({ length: 5000 }, (_, i) => `run-${i}`)
    };
    const { url, omitted } = shareLink(state, 'http://host/lab');
    expect(omitted).toEqual(['selection']);
    expect(url.length).toBeLessThan(2000);
    expect(readShareParam(new URL(url).search)).toEqual({
      ...state,
      selection: []
    });
  });
});

describe('readShareParam', () => {
  it('tells a missing parameter from an unreadable one', () => {
    expect(readShareParam('?reset')).toBeUndefined();
    expect(readShareParam('?experiments=%%%')).toBeNull();
  });
});

describe('registerShareRoute', () => {
  /** A router that records its rules, as JupyterLab's matches them. */
  class FakeRouter {
    rules: { command: string; pattern: RegExp }[] = [];
    register(rule: { command: string; pattern: RegExp }) {
      this.rules.push(rule);
      return { dispose: () => this.rules.splice(this.rules.indexOf(rule), 1) };
    }
  }

  let commands: CommandRegistry;
  let router: FakeRouter;
  let opened: unknown[];

  beforeEach(() => {
    commands = new CommandRegistry();
    router = new FakeRouter();
    opened = [];
    commands.addCommand('experiments:open-browser', {
      execute: args => void opened.push(args)
    });
  });

  /** Route a request the way JupyterLab's router does. */
  async function route(request: string): Promise<void> {
    window.history.replaceState({}, '', request);
    const { search, hash, pathname } = window.location;
    for (const rule of router.rules) {
      if (request.match(rule.pattern)) {
        await commands.execute(rule.command, {
          hash,
          path: pathname,
          request,
          search
        });
      }
    }
  }

  it('opens the browser on the view a link carries', async () => {
    const route_ = registerShareRoute(
      router as any,
      commands,
      'experiments:open-browser'
    );
    const { url } = shareLink(VIEW, '/lab?reset');

    await route(url);

    expect(opened).toEqual([{ state: VIEW }]);
    // Taken out of the address bar; the rest of the query stays.
    expect(window.location.search).toBe('?reset');
    route_.dispose();
    expect(router.rules).toEqual([]);
    expect(commands.hasCommand(SHARE_ROUTE_COMMAND)).toBe(false);
  });

  it('ignores a query that only looks like a link', async () => {
    const disposable = registerShareRoute(
      router as any,
      commands,
      'experiments:open-browser'
    );
    await route('/lab?not-experiments=1');
    await route('/lab?myexperiments=1');
    expect(opened).toEqual([]);
    disposable.dispose();
  });

  it('opens the browser as it was when the link is unreadable', async () => {
    const warning = jest.spyOn(Notification, 'warning');
    const disposable = registerShareRoute(
      router as any,
      commands,
      'experiments:open-browser'
    );

    await route('/lab?a&experiments=garbage!&b');

    expect(opened).toEqual([{}]);
    expect(warning).toHaveBeenCalledTimes(1);
    expect(window.location.search).toBe('?a&b');
    warning.mockRestore();
    disposable.dispose();
  });
});
