/**
 * The checkpoint repository of the server under test, read with the git CLI.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

import type { IJupyterLabPageFixture } from '@jupyterlab/galata';

/** The repository's folder: `checkpoints.git` in the server's store. */
export async function checkpointRepository(
  page: IJupyterLabPageFixture
): Promise<string> {
  const storeDir = await page.evaluate(async () => {
    const response = await fetch('/experiments/api/info');
    return (await response.json()).store_dir as string;
  });
  return path.join(storeDir, 'checkpoints.git');
}

/** What `git --git-dir <gitDir> ...args` prints; throws if git fails. */
export function git(gitDir: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', gitDir, ...args], {
    stdio: 'pipe'
  }).toString();
}

/** The commits of a notebook's history, newest first (none before the first). */
export function checkpointsOf(gitDir: string, notebookId: string): string[] {
  try {
    return git(gitDir, 'log', '--format=%H', `refs/notebooks/${notebookId}`)
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** The notebook id of the page's current notebook. */
export function notebookId(page: IJupyterLabPageFixture): Promise<string> {
  return page.evaluate(
    () =>
      (window as any).jupyterapp.shell.currentWidget.model.getMetadata(
        'experiments'
      )?.notebook_id
  );
}
