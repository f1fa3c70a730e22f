import { lazy } from './lazy';

describe('lazy', () => {
  it('loads once however often it is asked', async () => {
    const load = jest.fn(async () => ({ value: 1 }));
    const get = lazy(load);
    const [a, b] = await Promise.all([get(), get()]);
    expect(await get()).toBe(a);
    expect(b).toBe(a);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('tries again after a failed load', async () => {
    const load = jest
      .fn()
      .mockRejectedValueOnce(new Error('chunk not fetched'))
      .mockResolvedValueOnce('loaded');
    const get = lazy(load);
    await expect(get()).rejects.toThrow('chunk not fetched');
    await expect(get()).resolves.toBe('loaded');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
