/**
 * A real Jupyter server for the specs and benchmarks that drive the runner
 * (excluded from the build). Call `useJupyterServer` at a suite's top level.
 */
import {
  ContentsManager,
  KernelManager,
  ServerConnection,
  SessionManager
} from '@jupyterlab/services';
import { JupyterServer } from '@jupyterlab/testing';

import { IValidationRunOptions, ValidationRun } from '../runner';
import { validationSession } from '../session';

export interface ITestServer {
  sessions: SessionManager;
  contents: ContentsManager;
}

/**
 * Starts a server before the suite and stops it after. A port of its own
 * (the browser tests' server listens on 8888), and no debug log (the URL the
 * start waits for is logged at INFO).
 */
export function useJupyterServer(port: number): ITestServer {
  const server = new JupyterServer();
  const handle = {} as ITestServer;
  beforeAll(async () => {
    await server.start({
      configData: {
        ServerApp: { allow_root: true, port, log_level: 'INFO' },
        LabApp: { log_level: 'INFO' }
      }
    });
    const serverSettings = ServerConnection.makeSettings();
    const kernelManager = new KernelManager({ serverSettings });
    handle.sessions = new SessionManager({ kernelManager, serverSettings });
    handle.contents = new ContentsManager({ serverSettings });
  }, 120_000);
  afterAll(async () => {
    handle.sessions.dispose();
    await server.shutdown();
  });
  return handle;
}

/** A validation in a `python3` kernel session of its own, as the panel starts one. */
export function sessionRun(
  sessions: SessionManager,
  options: Omit<IValidationRunOptions, 'startKernel' | 'shutdownKernel'>
): ValidationRun {
  const session = validationSession(sessions, options.notebookPath, 'python3');
  return new ValidationRun({
    ...options,
    startKernel: () => session.startKernel(),
    shutdownKernel: () => session.shutdownKernel()
  });
}
