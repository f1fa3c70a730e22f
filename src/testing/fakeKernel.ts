/**
 * A kernel for specs of code that executes cells: it answers each execute
 * request in order with `execute_input`, the outputs of a tiny language
 * (`print("text")` writes a line, `raise Name` fails), the reply and `idle`,
 * each message parented to its request as a real kernel does.
 */
import type { Kernel, KernelMessage, Session } from '@jupyterlab/services';
import { PromiseDelegate, UUID } from '@lumino/coreutils';
import { Signal } from '@lumino/signaling';

export class FakeKernel {
  readonly id = UUID.uuid4();
  readonly name = 'python3';
  readonly iopubMessage = new Signal<this, KernelMessage.IIOPubMessage>(this);
  readonly statusChanged = new Signal<this, Kernel.Status>(this);
  /** The code of every execute request, in order. */
  readonly executed: string[] = [];
  isShutdown = false;

  requestExecute(content: { code: string }): Kernel.IShellFuture {
    const msgId = UUID.uuid4();
    const done = new PromiseDelegate<KernelMessage.IExecuteReplyMsg>();
    const future = {
      msg: { header: { msg_id: msgId } },
      done: done.promise,
      onReply: null as ((msg: KernelMessage.IExecuteReplyMsg) => void) | null,
      dispose: () => undefined
    };
    // Queued: each request is answered in a later turn, in order.
    setTimeout(() => {
      const count = this.executed.push(content.code);
      const emit = (msgType: string, body: unknown) =>
        this.iopubMessage.emit(this._message(msgId, msgType, body) as any);
      emit('execute_input', { code: content.code, execution_count: count });
      for (const [, text] of content.code.matchAll(/print\("([^"]*)"\)/g)) {
        emit('stream', { name: 'stdout', text: `${text}\n` });
      }
      const raised = /raise (\w+)/.exec(content.code)?.[1];
      if (raised) {
        emit('error', { ename: raised, evalue: '', traceback: [raised] });
      }
      const reply = this._message(
        msgId,
        'execute_reply',
        raised
          ? {
              status: 'error',
              ename: raised,
              evalue: '',
              traceback: [raised],
              execution_count: count
            }
          : { status: 'ok', execution_count: count, user_expressions: {} }
      ) as unknown as KernelMessage.IExecuteReplyMsg;
      future.onReply?.(reply);
      emit('status', { execution_state: 'idle' });
      done.resolve(reply);
    }, 0);
    return future as unknown as Kernel.IShellFuture;
  }

  async interrupt(): Promise<void> {
    // Every cell ends at once: nothing to interrupt.
  }

  async shutdown(): Promise<void> {
    this.isShutdown = true;
  }

  private _message(parent: string, msgType: string, content: unknown) {
    return {
      channel: 'iopub',
      header: {
        msg_id: UUID.uuid4(),
        msg_type: msgType,
        date: new Date().toISOString(),
        session: 'fake',
        username: 'fake',
        version: '5.3'
      },
      parent_header: { msg_id: parent },
      metadata: {},
      content
    };
  }
}

/** A session manager whose sessions run on `kernel`; records what it started. */
export function fakeSessions(kernel: FakeKernel): Session.IManager & {
  started: Session.ISessionOptions[];
  shutdowns: number;
} {
  const sessions = {
    started: [] as Session.ISessionOptions[],
    shutdowns: 0,
    async startNew(options: Session.ISessionOptions) {
      sessions.started.push(options);
      let disposed = false;
      return {
        kernel,
        get isDisposed() {
          return disposed;
        },
        async shutdown() {
          disposed = true;
          sessions.shutdowns++;
          await kernel.shutdown();
        }
      };
    }
  };
  return sessions as any;
}
