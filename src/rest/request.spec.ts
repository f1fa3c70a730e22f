import { ServerConnection } from '@jupyterlab/services';

import { filterErrorOf } from '../browser/filter/errors';
import {
  ApiError,
  decodeFrames,
  encodeBatch,
  queryString,
  requestAPI,
  reviveNumber
} from './request';

describe('reviveNumber', () => {
  it('turns the server encodings back into numbers', () => {
    expect(reviveNumber('NaN')).toBeNaN();
    expect(reviveNumber('Infinity')).toBe(Infinity);
    expect(reviveNumber('-Infinity')).toBe(-Infinity);
    expect(reviveNumber(0.5)).toBe(0.5);
    expect(reviveNumber(null)).toBeNull();
    expect(reviveNumber('0.5')).toBeNull();
  });
});

describe('encodeBatch', () => {
  it('frames a JSON header and the objects in order', () => {
    const objects = [
      { oid: 'a'.repeat(40), deflated: new Uint8Array([1, 2, 3]) },
      { oid: 'b'.repeat(40), deflated: new Uint8Array([9]) }
    ];
    const ref = { name: 'refs/notebooks/x', old: null, new: 'b'.repeat(40) };
    const body = encodeBatch(objects, ref);
    const length = new DataView(body.buffer).getUint32(0);
    const header = JSON.parse(
      new TextDecoder().decode(body.slice(4, 4 + length))
    );
    expect(header).toEqual({
      objects: [
        { oid: 'a'.repeat(40), size: 3 },
        { oid: 'b'.repeat(40), size: 1 }
      ],
      ref
    });
    expect(Array.from(body.slice(4 + length))).toEqual([1, 2, 3, 9]);
  });
});

describe('decodeFrames', () => {
  it('reads back what encodeBatch framed', () => {
    const objects = [
      { oid: 'c'.repeat(40), deflated: new Uint8Array([7, 8]) },
      { oid: 'd'.repeat(40), deflated: new Uint8Array([]) }
    ];
    const decoded = decodeFrames(encodeBatch(objects, null));
    expect(decoded.header.objects.map(o => o.oid)).toEqual([
      'c'.repeat(40),
      'd'.repeat(40)
    ]);
    expect(Array.from(decoded.objects.get('c'.repeat(40))!)).toEqual([7, 8]);
    expect(decoded.objects.get('d'.repeat(40))!.length).toBe(0);
  });
});

describe('queryString', () => {
  it('keeps the defined values only', () => {
    expect(
      queryString({ notebook_id: 'a b', limit: 1, before_commit: undefined })
    ).toBe('notebook_id=a+b&limit=1');
  });
});

describe('ApiError', () => {
  const settingsReplying = (status: number, body: string) =>
    ServerConnection.makeSettings({
      baseUrl: 'http://localhost/',
      fetch: (async () => ({
        ok: status < 400,
        status,
        statusText: 'Bad Request',
        text: async () => body,
        json: async () => JSON.parse(body)
      })) as unknown as typeof fetch
    });

  it("carries a refused query's position, found and expected from the body", async () => {
    const body = {
      message: 'at 7: expected a value, found the end',
      position: 7,
      found: '',
      expected: 'a value',
      argument: 'filter'
    };
    const error = await requestAPI<never>(
      'runs?filter=x',
      {},
      settingsReplying(400, JSON.stringify(body))
    ).catch((reason: ApiError) => reason);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      message: body.message,
      position: 7,
      found: '',
      expected: 'a value',
      argument: 'filter',
      body
    });
  });

  it('is read by the filter box from its fields, not its message', () => {
    const error = new ApiError(400, 'the server rewrote this message', {
      position: 3,
      found: ')',
      expected: 'a value'
    });
    expect(filterErrorOf(error)).toEqual({
      position: 3,
      message: 'the server rewrote this message',
      found: ')',
      expected: 'a value'
    });
    // A position in the order, not the filter, is not the box's.
    expect(
      filterErrorOf(
        new ApiError(400, 'x', {
          position: 1,
          found: '',
          expected: 'ASC',
          argument: 'order_by'
        })
      )
    ).toBeNull();
  });

  it('keeps the status line when the body is not JSON', async () => {
    const error = await requestAPI<never>(
      'runs',
      {},
      settingsReplying(502, '')
    ).catch((reason: ApiError) => reason);
    expect(error).toMatchObject({ status: 502, body: null });
    expect(error.position).toBeUndefined();
    expect(error.message).toBe('502 Bad Request');
  });
});
