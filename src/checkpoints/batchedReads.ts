/**
 * Object reads gathered into one request per turn of the event loop.
 *
 * The reader walks a checkpoint level by level and asks for every entry of a
 * level at once; gathering those asks turns hundreds of requests into one
 * per level. Pure: the request function is injected.
 */
export function batchedReads(
  readMany: (oids: string[]) => Promise<Map<string, Uint8Array>>
): (oid: string) => Promise<Uint8Array> {
  let waiting = new Map<
    string,
    {
      resolve: (bytes: Uint8Array) => void;
      reject: (reason: unknown) => void;
    }[]
  >();
  const flush = async () => {
    const batch = waiting;
    waiting = new Map();
    try {
      const found = await readMany([...batch.keys()]);
      for (const [oid, callers] of batch) {
        const bytes = found.get(oid);
        for (const caller of callers) {
          if (bytes) {
            caller.resolve(bytes);
          } else {
            caller.reject(
              Object.assign(new Error(`object ${oid} not found`), {
                code: 'ENOENT'
              })
            );
          }
        }
      }
    } catch (reason) {
      for (const callers of batch.values()) {
        callers.forEach(caller => caller.reject(reason));
      }
    }
  };
  return (oid: string) =>
    new Promise<Uint8Array>((resolve, reject) => {
      if (waiting.size === 0) {
        setTimeout(() => void flush(), 0);
      }
      const callers = waiting.get(oid) ?? [];
      callers.push({ resolve, reject });
      waiting.set(oid, callers);
    });
}
