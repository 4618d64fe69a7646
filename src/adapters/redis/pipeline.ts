/** A pipeline's replies, or the first error in it (ioredis reports each command's error in place). */
export function results(res: Array<[Error | null, unknown]> | null): unknown[] {
  if (!res) throw new Error('redis pipeline was not executed');
  return res.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
