/**
 * Runs tasks one after another per key, in the order they were asked for; different keys run
 * concurrently. Unlike a fire-and-forget queue, each caller gets its own task's result or error,
 * and a failed task does not block the next.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
