/**
 * The kernel a validation runs in: a session of its own, so the kernel works
 * in the notebook's folder and is listed under Running, and the user's
 * session is never touched. No DOM.
 */
import type { Kernel, Session } from '@jupyterlab/services';
import { UUID } from '@lumino/coreutils';

export interface IValidationSession {
  /** Starts the session; for `ValidationRun`'s `startKernel`. */
  startKernel(): Promise<Kernel.IKernelConnection>;
  /** Ends the session and its kernel; safe to call again, or before a start. */
  shutdownKernel(): Promise<void>;
}

/**
 * A session on `<notebook folder>/.validate-<uuid>.ipynb` (a path of its own:
 * sessions are keyed by path) with a kernel of `kernelName`.
 */
export function validationSession(
  sessions: Session.IManager,
  notebookPath: string,
  kernelName: string
): IValidationSession {
  let session: Session.ISessionConnection | null = null;
  const slash = notebookPath.lastIndexOf('/');
  const folder = slash < 0 ? '' : notebookPath.slice(0, slash + 1);
  return {
    async startKernel() {
      session = await sessions.startNew(
        {
          path: `${folder}.validate-${UUID.uuid4()}.ipynb`,
          name: `Validation of ${notebookPath}`,
          type: 'validation',
          kernel: { name: kernelName }
        },
        // Comms the notebook opens have no frontend here (as in nbclient);
        // handling them would start a subshell per comm target, which the
        // kernel's shutdown at the end of the run leaves unanswered.
        { kernelConnectionOptions: { handleComms: false } }
      );
      if (!session.kernel) {
        throw new Error(`the kernel "${kernelName}" did not start`);
      }
      return session.kernel;
    },
    async shutdownKernel() {
      if (session && !session.isDisposed) {
        await session.shutdown();
      }
    }
  };
}
