import { useRef } from 'react';

/**
 * The previous array while its elements are the same (`===`, or per `same`), so a host that
 * rebuilds props on every render (`columns.map(col)`) keeps brushes, order and canvases.
 */
export function useStableArray<T>(
  next: readonly T[] | undefined,
  same: (a: T, b: T) => boolean = (a, b) => a === b
): readonly T[] | undefined {
  const ref = useRef(next);
  const prev = ref.current;
  const equal =
    prev === next ||
    (!!prev && !!next && prev.length === next.length && prev.every((p, i) => same(p, next[i])));
  if (!equal) {
    ref.current = next;
  }
  return ref.current;
}
