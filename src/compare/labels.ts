/**
 * How a compared run is named: in a chart (its name, else the start of its
 * id) and in text ("Run abcdef12" when it has no name). Pure.
 */
import type { IRunSummary } from '../tokens';

/** A run as a chart labels it: its name, else the start of its id. */
export function runLabel(run: IRunSummary): string {
  const name = run.name?.trim();
  return name ? name : run.id.slice(0, 8);
}

/** A run as a sentence or a list names it. */
export function runName(run: IRunSummary): string {
  return run.name || `Run ${run.id.slice(0, 8)}`;
}
