/**
 * A React view of a Lumino signal: a number that changes whenever the
 * signal emits, to re-render a view of a model that announces its changes.
 */
import type { ISignal } from '@lumino/signaling';
import { useEffect, useState } from 'react';

export function useSignalVersion<T>(signal: ISignal<T, unknown>): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion(v => v + 1);
    signal.connect(bump);
    return () => {
      signal.disconnect(bump);
    };
  }, [signal]);
  return version;
}
