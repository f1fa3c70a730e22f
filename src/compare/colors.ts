/**
 * One colour per compared run, the same in every chart, table header and
 * legend of a Compare panel: a run keeps its colour by its position.
 * Tableau 10 then its lighter variants: distinguishable in light and dark
 * themes.
 */
export const RUN_COLORS: readonly string[] = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#a0cbe8',
  '#ffbe7d',
  '#ff9d9a',
  '#86bcb6',
  '#8cd17d',
  '#f1ce63',
  '#d4a6c8',
  '#fabfd2',
  '#d7b5a6',
  '#79706e'
];

/** The colour of the run at this position. */
export function runColor(index: number): string {
  return RUN_COLORS[
    ((index % RUN_COLORS.length) + RUN_COLORS.length) % RUN_COLORS.length
  ];
}
