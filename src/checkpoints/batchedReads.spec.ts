import { batchedReads } from './batchedReads';

describe('batchedReads', () => {
  it('asks once for the objects requested together', async () => {
    const calls: string[][] = [];
    const read = batchedReads(async oids => {
      calls.push(oids);
      return new Map(oids.map(oid => [oid, new Uint8Array([oid.length])]));
    });
    const results = await Promise.all([read('a'), read('bb'), read('a')]);
    expect(calls).toEqual([['a', 'bb']]);
    expect(results.map(r => r[0])).toEqual([1, 2, 1]);
    await read('ccc');
    expect(calls).toEqual([['a', 'bb'], ['ccc']]);
  });

  it('rejects absent objects with ENOENT and failures for everyone', async () => {
    const read = batchedReads(async () => new Map());
    await expect(read('x')).rejects.toMatchObject({ code: 'ENOENT' });
    const failing = batchedReads(async () => {
      throw new Error('offline');
    });
    await expect(Promise.all([failing('a'), failing('b')])).rejects.toThrow(
      'offline'
    );
  });
});
