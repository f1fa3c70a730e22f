import type { Event } from '@jupyterlab/services';
import { Stream } from '@lumino/signaling';

import {
  IRunsChanged,
  parseRunsChanged,
  RUNS_CHANGED_SCHEMA,
  RunEvents
} from './events';

/** The part of the service manager's event manager RunEvents reads. */
class FakeManager {
  isDisposed = false;
  stream = new Stream<Event.IManager, Event.Emission>(this as any);
  send(event: object): void {
    this.stream.emit(event as Event.Emission);
  }
}

describe('parseRunsChanged', () => {
  it('reads the run ids and the action beside the schema id', () => {
    expect(
      parseRunsChanged({
        schema_id: RUNS_CHANGED_SCHEMA,
        run_ids: ['a', 'b'],
        action: 'deleted'
      })
    ).toEqual({ runIds: ['a', 'b'], action: 'deleted' });
  });

  it("ignores other schemas' events and malformed ones", () => {
    for (const event of [
      null,
      'text',
      {
        schema_id: 'https://events.jupyter.org/jupyter_server/kernel_actions/v1'
      },
      { schema_id: RUNS_CHANGED_SCHEMA },
      { schema_id: RUNS_CHANGED_SCHEMA, run_ids: 'a' },
      { schema_id: RUNS_CHANGED_SCHEMA, run_ids: [1, null] }
    ]) {
      expect(parseRunsChanged(event)).toBeNull();
    }
  });

  it('reads an action it does not know as a change', () => {
    expect(
      parseRunsChanged({
        schema_id: RUNS_CHANGED_SCHEMA,
        run_ids: ['a', 7],
        action: 'renamed'
      })
    ).toEqual({ runIds: ['a'], action: 'changed' });
  });
});

describe('RunEvents', () => {
  it('emits the run changes of the stream and nothing else', () => {
    const manager = new FakeManager();
    const events = new RunEvents(manager as unknown as Event.IManager);
    const seen: IRunsChanged[] = [];
    events.changed.connect((_, change) => seen.push(change));

    manager.send({ schema_id: 'other', run_ids: ['x'] });
    manager.send({
      schema_id: RUNS_CHANGED_SCHEMA,
      run_ids: ['r1'],
      action: 'changed'
    });

    expect(seen).toEqual([{ runIds: ['r1'], action: 'changed' }]);
    expect(events.available).toBe(true);
    events.dispose();
  });

  it('stops listening once disposed', () => {
    const manager = new FakeManager();
    const events = new RunEvents(manager as unknown as Event.IManager);
    const seen: IRunsChanged[] = [];
    events.changed.connect((_, change) => seen.push(change));

    events.dispose();
    manager.send({ schema_id: RUNS_CHANGED_SCHEMA, run_ids: ['r1'] });

    expect(seen).toEqual([]);
    expect(events.available).toBe(false);
    expect(events.isDisposed).toBe(true);
  });

  it('is unavailable without an event bus', () => {
    const without = new RunEvents(null);
    expect(without.available).toBe(false);
    without.dispose();
    const manager = new FakeManager();
    const events = new RunEvents(manager as unknown as Event.IManager);
    manager.isDisposed = true;
    expect(events.available).toBe(false);
    events.dispose();
  });
});
