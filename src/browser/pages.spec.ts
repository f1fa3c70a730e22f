import type { IRunSummary } from '../tokens';
import { ICacheBudget, PAGE_SIZE, PREFETCH_ROWS, RunPages } from './pages';

function pages(
  total = 1000,
  budget?: ICacheBudget
): { cache: RunPages; asked: number[] } {
  const asked: number[] = [];
  const cache = new RunPages(
    async (offset, limit) => {
      asked.push(offset);
      const runs = [];
      for (let i = offset; i < Math.min(total, offset + limit); i++) {
        runs.push({
          id: `run${i}`,
          params: { lr: 0.1, batch: 32 },
          metrics: {},
          tags: { team: 'vision' }
        } as unknown as IRunSummary);
      }
      return { runs, total };
    },
    () => undefined,
    reason => {
      throw reason;
    },
    budget
  );
  return { cache, asked };
}

const settle = () => new Promise(resolve => setTimeout(resolve, 0));

describe('RunPages', () => {
  it('fetches the rows on screen first, then a page ahead of a scroll down', async () => {
    const { cache, asked } = pages();
    cache.ensure(0, 40);
    await settle();
    // A first screen waits for no other page.
    expect(asked).toEqual([0]);
    cache.ensure(10, 50);
    await settle();
    expect(asked).toEqual([0, PREFETCH_ROWS]);
    asked.length = 0;

    cache.ensure(150, 190);
    await settle();
    expect(asked).toEqual([2 * PAGE_SIZE]);
    expect(cache.get(199)?.id).toBe('run199');
  });

  it('fetches the page above when the rows move up', async () => {
    const { cache, asked } = pages();
    cache.ensure(500, 540);
    await settle();
    asked.length = 0;
    cache.ensure(480, 520);
    await settle();
    expect(asked).toEqual([400, 300]);
  });

  it('fetches nothing beyond the last run', async () => {
    const { cache, asked } = pages();
    cache.ensure(960, 1000);
    await settle();
    expect(asked).toEqual([900]);
  });
});

describe('RunPages memory', () => {
  // Each fake run weighs 4 values (itself, two params, a tag): 400 a page.
  const budget: ICacheBudget = { values: 30 * 400, minPages: 10 };

  it('keeps the pages nearest the rows on screen within its budget, and fetches a dropped one again', async () => {
    const total = 50 * PAGE_SIZE;
    const { cache, asked } = pages(total, budget);
    // Scroll to the end, a page at a time: every page is fetched once.
    for (let start = 0; start < total; start += PAGE_SIZE) {
      cache.ensure(start, start + 40);
      await settle();
    }
    expect(new Set(asked).size).toBe(50);
    expect(cache.indices()).toHaveLength(30 * PAGE_SIZE);
    expect(cache.get(total - 1)?.id).toBe(`run${total - 1}`);
    // The first pages went.
    expect(cache.get(0)).toBeUndefined();
    expect(cache.indexOf('run0')).toBe(-1);
    asked.length = 0;
    cache.ensure(0, 40);
    await settle();
    expect(asked[0]).toBe(0);
    expect(cache.get(0)?.id).toBe('run0');
  });

  it('keeps a store of narrow runs whole under the default budget', async () => {
    const total = 100 * PAGE_SIZE;
    const { cache } = pages(total);
    for (let start = 0; start < total; start += PAGE_SIZE) {
      cache.ensure(start, start + 40);
      await settle();
    }
    expect(cache.indices()).toHaveLength(total);
  });

  it('keeps its least number of pages, however heavy', async () => {
    const total = 20 * PAGE_SIZE;
    const { cache } = pages(total, { values: 1, minPages: 10 });
    for (let start = 0; start < total; start += PAGE_SIZE) {
      cache.ensure(start, start + 40);
      await settle();
    }
    expect(cache.indices()).toHaveLength(10 * PAGE_SIZE);
    expect(cache.get(total - 1)).toBeDefined();
  });
});
