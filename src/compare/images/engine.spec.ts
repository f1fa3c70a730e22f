import { FakeExperimentsClient } from '../../testing/fakeClient';
import type { IRun, IRunImage } from '../../tokens';
import {
  imageAt,
  imageGrid,
  imageKeys,
  imageSteps,
  NULL_STEP,
  stepIndex,
  stepLabel,
  stepValue
} from './engine';

let counter = 0;

function image(
  key: string,
  step: number | null,
  extra: Partial<IRunImage> = {}
): IRunImage {
  counter++;
  return {
    id: `img${counter}`,
    key,
    step,
    sha256: `sha${counter}`,
    width: 10,
    height: 10,
    timestamp: counter,
    cell_id: null,
    checkpoint: null,
    ...extra
  };
}

function runs(...imageLists: IRunImage[][]): IRun[] {
  const client = new FakeExperimentsClient();
  return imageLists.map((images, i) =>
    client.runs.add({ id: `r${i}`, images })
  );
}

describe('compare/images/engine', () => {
  describe('imageKeys', () => {
    it('is the sorted union of every run’s keys', () => {
      const rs = runs(
        [image('samples', 1), image('confusion', 1)],
        [image('attention', 2)],
        []
      );
      expect(imageKeys(rs)).toEqual(['attention', 'confusion', 'samples']);
    });

    it('is empty when no run logged an image', () => {
      expect(imageKeys(runs([], []))).toEqual([]);
      expect(imageKeys([])).toEqual([]);
    });
  });

  describe('imageSteps', () => {
    it('is the sorted union of the steps a key was logged at', () => {
      const rs = runs(
        [image('a', 10), image('a', 2), image('b', 99)],
        [image('a', 5), image('a', 10)]
      );
      expect(imageSteps(rs, 'a')).toEqual([2, 5, 10]);
      expect(imageSteps(rs, 'b')).toEqual([99]);
      expect(imageSteps(rs, 'missing')).toEqual([]);
    });

    it('counts the null step as a step of its own, first', () => {
      const rs = runs([image('a', 3), image('a', null)], [image('a', 0)]);
      expect(imageSteps(rs, 'a')).toEqual([null, 0, 3]);
    });

    it('sorts steps numerically, negatives included', () => {
      const rs = runs([image('a', 100), image('a', 9), image('a', -1)]);
      expect(imageSteps(rs, 'a')).toEqual([-1, 9, 100]);
    });
  });

  describe('imageGrid', () => {
    it('gives each key its steps and how many runs logged it', () => {
      const rs = runs([image('a', 1), image('b', null)], [image('a', 2)], []);
      expect(imageGrid(rs)).toEqual([
        { key: 'a', steps: [1, 2], runCount: 2 },
        { key: 'b', steps: [null], runCount: 1 }
      ]);
    });
  });

  describe('imageAt', () => {
    it('finds the image at exactly the step, and none at a missing step', () => {
      const [run] = runs([image('a', 1), image('a', 3)]);
      expect(imageAt(run, 'a', 1)?.step).toBe(1);
      expect(imageAt(run, 'a', 3)?.step).toBe(3);
      // No "latest before": a step the run skipped shows nothing.
      expect(imageAt(run, 'a', 2)).toBeNull();
      expect(imageAt(run, 'a', 4)).toBeNull();
      expect(imageAt(run, 'b', 1)).toBeNull();
    });

    it('tells the null step from step 0', () => {
      const [run] = runs([
        image('a', null, { id: 'n' }),
        image('a', 0, { id: 'z' })
      ]);
      expect(imageAt(run, 'a', null)?.id).toBe('n');
      expect(imageAt(run, 'a', 0)?.id).toBe('z');
    });

    it('takes the latest of several images at one step', () => {
      const [run] = runs([
        image('a', 1, { id: 'late', timestamp: 50 }),
        image('a', 1, { id: 'early', timestamp: 10 })
      ]);
      expect(imageAt(run, 'a', 1)?.id).toBe('late');
      const [tied] = runs([
        image('a', 1, { id: 'first', timestamp: 5 }),
        image('a', 1, { id: 'second', timestamp: 5 })
      ]);
      expect(imageAt(tied, 'a', 1)?.id).toBe('second');
    });

    it('aligns runs with different steps', () => {
      const rs = runs(
        [image('a', 0), image('a', 10)],
        [image('a', 5), image('a', 10)]
      );
      const steps = imageSteps(rs, 'a');
      expect(steps).toEqual([0, 5, 10]);
      const shown = steps.map(step =>
        rs.map(run => imageAt(run, 'a', step)?.step ?? 'none')
      );
      expect(shown).toEqual([
        [0, 'none'],
        ['none', 5],
        [10, 10]
      ]);
    });
  });

  describe('steps in the slider state', () => {
    it('stores the null step as NULL_STEP and labels it —', () => {
      expect(stepValue(null)).toBe(NULL_STEP);
      expect(stepValue(7)).toBe(7);
      expect(stepLabel(null)).toBe('—');
      expect(stepLabel(7)).toBe('7');
      expect(JSON.parse(JSON.stringify(NULL_STEP))).toBe(NULL_STEP);
    });

    it('shows the last step when none is stored', () => {
      expect(stepIndex([null, 1, 2], undefined)).toBe(2);
      expect(stepIndex([], undefined)).toBe(-1);
      expect(stepIndex([], 3)).toBe(-1);
    });

    it('finds a stored step, the null one included', () => {
      expect(stepIndex([null, 1, 2], 1)).toBe(1);
      expect(stepIndex([null, 1, 2], NULL_STEP)).toBe(0);
      // As a state read back from JSON by older code may hold it.
      expect(stepIndex([null, 1, 2], null)).toBe(0);
    });

    it('falls back to the nearest step before a stored one it lacks', () => {
      expect(stepIndex([1, 5, 9], 6)).toBe(1);
      expect(stepIndex([1, 5, 9], 100)).toBe(2);
      expect(stepIndex([1, 5, 9], 0)).toBe(0);
      expect(stepIndex([null, 5], 2)).toBe(0);
      expect(stepIndex([1, 5], NULL_STEP)).toBe(0);
      expect(stepIndex([1, 5], NaN)).toBe(0);
    });
  });
});
