/**
 * A JupyterLab of a benchmark's own, started as a child process: it answers
 * once `/lab` does, or the process is killed and the benchmark fails.
 */
import { ChildProcess } from 'child_process';

export async function untilServing(
  server: ChildProcess,
  port: number,
  timeoutMs = 120_000
): Promise<ChildProcess> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://localhost:${port}/lab`)).ok) {
        return server;
      }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  server.kill();
  throw new Error(`JupyterLab did not start on port ${port}`);
}
