/**
 * Checkpoint commit messages: a subject naming the executed cell, a blank
 * line, then git trailers. Pure.
 *
 * ```
 * Ran cell 3: model.fit(x, y)
 *
 * Run-Id: 5f0c...
 * Cell-Id: 8a1b...
 * Execution-Count: 7
 * Status: ok
 * Duration: 1.250
 * ```
 */

/** What a checkpoint's trailers record about the execution. */
export interface ICheckpointTrailers {
  runId?: string | null;
  cellId?: string | null;
  executionCount?: number | null;
  status?: 'ok' | 'error' | null;
  /** Seconds. */
  duration?: number | null;
  /** Where the notebook was: tells a renamed notebook from a copy. */
  notebookPath?: string | null;
}

/** Subject of an on-demand checkpoint. */
export const ON_DEMAND_SUBJECT = 'Checkpoint';

const SUBJECT_LENGTH = 72;

const TRAILERS: [keyof ICheckpointTrailers, string][] = [
  ['runId', 'Run-Id'],
  ['cellId', 'Cell-Id'],
  ['executionCount', 'Execution-Count'],
  ['status', 'Status'],
  ['duration', 'Duration'],
  ['notebookPath', 'Notebook-Path']
];

/**
 * The commit message. `cellNumber` is the executed cell's 1-based position
 * in the notebook, `source` its source; without them the subject is
 * "Checkpoint". Trailers without a value are left out.
 */
export function formatMessage(
  execution: { cellNumber: number; source: string } | null,
  trailers: ICheckpointTrailers = {}
): string {
  let subject = ON_DEMAND_SUBJECT;
  if (execution) {
    const firstLine = oneLine(
      execution.source.split('\n').find(line => line.trim()) ?? ''
    );
    subject = `Ran cell ${execution.cellNumber}`;
    if (firstLine) {
      subject += `: ${firstLine}`;
    }
    if (subject.length > SUBJECT_LENGTH) {
      subject = subject.slice(0, SUBJECT_LENGTH - 1) + '…';
    }
  }
  const lines = TRAILERS.flatMap(([field, token]) => {
    const value = trailers[field];
    if (value === null || value === undefined || value === '') {
      return [];
    }
    const text =
      field === 'duration' ? (value as number).toFixed(3) : String(value);
    return [`${token}: ${oneLine(text)}`];
  });
  return lines.length ? `${subject}\n\n${lines.join('\n')}\n` : `${subject}\n`;
}

/** The subject and trailers of a checkpoint's commit message. */
export function parseMessage(message: string): {
  subject: string;
  trailers: ICheckpointTrailers;
} {
  const [subject, ...rest] = message.replace(/\n+$/, '').split('\n');
  const trailers: ICheckpointTrailers = {};
  // Trailers are the last paragraph.
  const paragraphs = rest.join('\n').split(/\n\s*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? '';
  for (const line of last.split('\n')) {
    const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    const entry = match && TRAILERS.find(([, token]) => token === match[1]);
    if (!match || !entry) {
      continue;
    }
    const [field] = entry;
    const value = match[2];
    if (field === 'executionCount' || field === 'duration') {
      const number = Number(value);
      if (value !== '' && Number.isFinite(number)) {
        trailers[field] = number;
      }
    } else if (field === 'status') {
      if (value === 'ok' || value === 'error') {
        trailers.status = value;
      }
    } else {
      trailers[field] = value;
    }
  }
  return { subject, trailers };
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}
