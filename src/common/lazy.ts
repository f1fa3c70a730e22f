/**
 * Code that start-up does not need is loaded on first use: a dynamic
 * `import()` becomes a chunk of its own, fetched when the user first needs it.
 */

/**
 * A loader that runs at most once at a time and remembers its result; a
 * failed load (a chunk that could not be fetched) is tried again next call.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    if (!loading) {
      loading = load();
      loading.catch(() => {
        loading = null;
      });
    }
    return loading;
  };
}
