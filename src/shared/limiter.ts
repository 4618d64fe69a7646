/**
 * At most `max` tasks at once; the others wait their turn in the order they asked. A dozen
 * lines rather than p-limit: nothing here needs its extras (clearing the queue, changing the
 * limit), and a production dependency would be one more thing to keep current.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.max) this.running++;
    // The slot is handed over by the task finishing before, so `running` stays counted.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
