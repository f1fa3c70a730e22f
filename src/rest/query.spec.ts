import { ServerConnection } from '@jupyterlab/services';

import { QueryClient } from './query';
import { requestAPI } from './request';
import { ViewsClient } from './views';

jest.mock('./request', () => ({
  ...jest.requireActual('./request'),
  requestAPI: jest.fn()
}));

const request = requestAPI as jest.Mock;
const settings = ServerConnection.makeSettings();

beforeEach(() => request.mockReset());

describe('QueryClient', () => {
  it('asks for values with the key and prefix in the query string', async () => {
    request.mockResolvedValueOnce({ values: [0.1, 0.01] });
    const values = await new QueryClient(settings).values(
      'params.`a b`',
      '0.',
      5
    );
    expect(values).toEqual([0.1, 0.01]);
    expect(request.mock.calls[0][0]).toBe(
      'values?key=params.%60a+b%60&prefix=0.&limit=5'
    );
  });

  it('keeps only lists of strings in the keys', async () => {
    request.mockResolvedValueOnce({ params: ['lr', 3], metrics: 'acc' });
    expect(await new QueryClient(settings).keys()).toEqual({
      params: ['lr'],
      metrics: [],
      tags: [],
      env: []
    });
  });
});

describe('ViewsClient', () => {
  it('saves and deletes a view by its encoded name', async () => {
    request.mockResolvedValue(null);
    const views = new ViewsClient(settings);
    await views.save('best / lr', { filter: 'x' });
    await views.delete('best / lr');
    expect(
      request.mock.calls.map(([path, init]) => [path, init.method])
    ).toEqual([
      ['views/best%20%2F%20lr', 'PUT'],
      ['views/best%20%2F%20lr', 'DELETE']
    ]);
    expect(JSON.parse(request.mock.calls[0][1].body)).toEqual({
      state: { filter: 'x' }
    });
  });
});
