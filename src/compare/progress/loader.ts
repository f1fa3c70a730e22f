/**
 * The runs a progress view walks through: every run of its filter, oldest
 * first, fetched page by page up to a cap. No DOM.
 */
import { errorMessage } from '../../common/format';
import { ApiError } from '../../rest/request';
import type { IExperimentsClient } from '../../rest/client';
import type { IRunSummary } from '../../tokens';

/** Runs per request: the most the server gives at once. */
export const PAGE_SIZE = 1000;

/** Runs read at most: beyond, the view says it shows the oldest only. */
export const MAX_PROGRESS_RUNS = 10_000;

export interface IProgressRuns {
  /** Oldest first. */
  runs: IRunSummary[];
  /** How many runs the filter matches in all. */
  total: number;
  /** More runs match than were read (`MAX_PROGRESS_RUNS`). */
  capped: boolean;
}

/**
 * Every run matching `filter` (all runs when empty), in start order, up to
 * `cap`. `live` is asked before each page: a view that went away stops
 * paging. Rejects with the client's error (a refused filter is a 400).
 */
export async function loadProgressRuns(
  client: Pick<IExperimentsClient, 'runs'>,
  filter: string,
  live: () => boolean = () => true,
  cap: number = MAX_PROGRESS_RUNS,
  pageSize: number = PAGE_SIZE
): Promise<IProgressRuns> {
  const runs: IRunSummary[] = [];
  let total = 0;
  // Oldest first: runs that start while paging land after the last page,
  // so no offset shifts under the pages already read.
  for (;;) {
    const limit = Math.min(pageSize, cap - runs.length);
    const page = await client.runs.list({
      filter: filter.trim() || undefined,
      order_by: 'started ASC',
      // Only what a best-so-far reads: a count is never compared.
      summaries: ['last', 'min', 'max'],
      layout: 'columns',
      offset: runs.length,
      limit
    });
    total = page.total;
    runs.push(...page.runs);
    if (
      !live() ||
      page.runs.length < limit ||
      runs.length >= total ||
      runs.length >= cap
    ) {
      break;
    }
  }
  return { runs, total, capped: total > runs.length && runs.length >= cap };
}

/** What a failed load says, and what to do about it. */
export function loadErrorText(reason: unknown): string {
  if (reason instanceof ApiError && reason.status === 400) {
    return `The filter was refused: ${sentence(reason.message)} Correct the filter above.`;
  }
  return `Could not load the runs: ${sentence(errorMessage(reason))} Check that the server is running, then retry.`;
}

/** A message ending with one full stop. */
function sentence(text: string): string {
  const trimmed = text.trim().replace(/[.\s]+$/, '');
  return `${trimmed}.`;
}
