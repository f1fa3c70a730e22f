import { ServerConnection } from '@jupyterlab/services';

import { GitClient } from './git';
import { rawRequest } from './request';

jest.mock('./request', () => ({
  ...jest.requireActual('./request'),
  rawRequest: jest.fn()
}));

/** A `git/objects` reply as the server frames it. */
function reply(objects: [string, number[]][], omitted: string[] = []) {
  const header = new TextEncoder().encode(
    JSON.stringify({
      objects: objects.map(([oid, data]) => ({ oid, size: data.length })),
      missing: [],
      omitted
    })
  );
  const body = new Uint8Array([
    0,
    0,
    0,
    0,
    ...header,
    ...objects.flatMap(([, data]) => data)
  ]);
  new DataView(body.buffer).setUint32(0, header.length);
  return { arrayBuffer: async () => body.buffer };
}

const oid = (c: string) => c.repeat(40);

describe('GitClient.readObjects', () => {
  const request = rawRequest as jest.Mock;
  const client = new GitClient(ServerConnection.makeSettings());

  beforeEach(() => request.mockReset());

  it('asks again for the objects a reply left out', async () => {
    request
      .mockResolvedValueOnce(reply([[oid('a'), [1, 2]]], [oid('b'), oid('c')]))
      .mockResolvedValueOnce(reply([[oid('b'), [3]]], [oid('c')]))
      .mockResolvedValueOnce(reply([[oid('c'), [4, 5, 6]]]));
    const objects = await client.readObjects([oid('a'), oid('b'), oid('c')]);
    expect([...objects].map(([id, data]) => [id[0], Array.from(data)])).toEqual(
      [
        ['a', [1, 2]],
        ['b', [3]],
        ['c', [4, 5, 6]]
      ]
    );
    expect(
      request.mock.calls.map(([, init]) => JSON.parse(init.body).oids.length)
    ).toEqual([3, 2, 1]);
  });

  it('stops with an error when a reply sends nothing and leaves objects out', async () => {
    request.mockResolvedValue(reply([], [oid('a')]));
    await expect(client.readObjects([oid('a')])).rejects.toThrow(
      'the server sent none of 1 objects'
    );
    expect(request).toHaveBeenCalledTimes(1);
  });
});
