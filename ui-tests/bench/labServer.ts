/**
 * A JupyterLab of a benchmark's own, started as a child process: it answers
 * once `/lab` does, or the process is killed and the benchmark fails.
 */
import { ChildProcess, spawn } from 'child_process';
import * as net from 'net';
import * as path from 'path';

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

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A JupyterLab on the bench store, with the browser tests' configuration. */
export async function startServer(
  port: number,
  store: string
): Promise<ChildProcess> {
  const uiTests = path.resolve(__dirname, '..');
  const server = spawn(
    'jupyter',
    ['lab', '--config=jupyter_server_test_config.py', `--port=${port}`],
    {
      cwd: uiTests,
      stdio: 'ignore',
      env: {
        ...process.env,
        UI_TEST_PORT: String(port),
        JUPYTERLAB_EXPERIMENTS_TEST_STORE: store
      }
    }
  );
  return untilServing(server, port);
}
