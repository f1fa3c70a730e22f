import { FakeExperimentsClient } from '../../testing/fakeClient';
import { createProgressChart } from './chart';
import { bestSoFar } from './engine';

/** A 2D context that accepts every call: enough for uPlot to lay out and draw. */
function stubCanvas(): () => void {
  const calls: string[] = [];
  const context: any = new Proxy(
    { canvas: null, calls },
    {
      get(target: any, name: string) {
        if (name in target) {
          return target[name];
        }
        if (name === 'measureText') {
          return (text: string) => ({ width: text.length * 6 });
        }
        return (...args: unknown[]) => {
          calls.push(`${name}:${args.length ? String(args[0]) : ''}`);
        };
      },
      set(target: any, name: string, value: unknown) {
        target[name] = value;
        return true;
      }
    }
  );
  const original = HTMLCanvasElement.prototype.getContext;
  (HTMLCanvasElement.prototype as any).getContext = () => context;
  (globalThis as any).Path2D = class {
    moveTo() {}
    lineTo() {}
    rect() {}
    arc() {}
    closePath() {}
    addPath() {}
    bezierCurveTo() {}
  };
  (window as any).matchMedia ??= () => ({
    matches: false,
    addListener() {},
    removeListener() {},
    addEventListener() {},
    removeEventListener() {}
  });
  return () => {
    HTMLCanvasElement.prototype.getContext = original;
    delete (globalThis as any).Path2D;
  };
}

describe('compare/progress/chart', () => {
  let restore: () => void;
  let host: HTMLDivElement;

  beforeEach(() => {
    restore = stubCanvas();
    host = document.createElement('div');
    document.body.appendChild(host);
  });

  afterEach(() => {
    host.remove();
    restore();
  });

  function progress() {
    const client = new FakeExperimentsClient();
    const runs = [0.5, 0.4, 0.9].map((acc, i) => {
      const run = client.runs.add({
        id: `r${i}`,
        name: `run ${i}`,
        start_time: 1_700_000_000 + i * 3600
      });
      client.runs.logMetric(run.id, 'acc', [acc]);
      return run;
    });
    return bestSoFar(runs, 'metrics.acc', 'max');
  }

  it('draws into its host and opens the improving run clicked', async () => {
    const opened: string[] = [];
    const data = progress();
    const chart = await createProgressChart(host, data, {
      metricLabel: 'metrics.acc',
      onOpenRun: runId => opened.push(runId)
    });
    const over = host.querySelector('.u-over') as HTMLElement;
    expect(over).not.toBeNull();
    // Let uPlot's deferred first draw run, labels included.
    await new Promise(resolve => setTimeout(resolve, 0));
    const drawn: string[] = (HTMLCanvasElement.prototype.getContext as any)()
      .calls;
    const labels = drawn
      .filter(call => call.startsWith('fillText:'))
      .map(call => call.slice('fillText:'.length));
    // Improving runs are labelled; the run that did not improve is not.
    expect(labels).toEqual(expect.arrayContaining(['run 0', 'run 2']));
    expect(labels).not.toContain('run 1');

    const click = (x: number, y: number) =>
      over.dispatchEvent(
        new MouseEvent('click', { clientX: x, clientY: y, bubbles: true })
      );
    // jsdom places the plot area at 0,0 of the viewport.
    const [x, y] = chart.positionOf('r2')!;
    click(x + 3, y - 3);
    expect(opened).toEqual(['r2']);
    // The run that did not improve opens nothing, nor does empty space.
    const [x1, y1] = chart.positionOf('r1')!;
    click(x1, y1);
    click(-1000, -1000);
    expect(opened).toEqual(['r2']);
    expect(chart.positionOf('nope')).toBeNull();

    chart.resize();
    chart.dispose();
    expect(host.querySelector('.u-over')).toBeNull();
  });

  it('refuses without a canvas', async () => {
    delete (globalThis as any).Path2D;
    await expect(
      createProgressChart(host, progress(), {
        metricLabel: 'metrics.acc',
        onOpenRun: () => undefined
      })
    ).rejects.toThrow(/cannot draw/);
  });
});
