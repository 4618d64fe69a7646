/**
 * Search as the agent types: a query runs `delayMs` after the last key, and an answer is delivered
 * only if no newer query was typed since it was asked (a slow answer to 「增」 must not replace the
 * answer to 「增值税」). Kept free of React so the timing is unit-tested (web/test/kb-search-runner.test.ts).
 */
export interface SearchRunner {
  /** The text in the box now; empty clears at once. */
  type(q: string): void;
  cancel(): void;
}

export function searchRunner<R>(o: {
  delayMs: number;
  fetch: (q: string) => Promise<R>;
  onResult: (q: string, r: R) => void;
  onError?: (q: string, e: unknown) => void;
  onClear?: () => void;
  onPending?: (q: string) => void;
}): SearchRunner {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  return {
    type(raw) {
      const q = raw.trim();
      const mine = ++seq;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (!q) {
        o.onClear?.();
        return;
      }
      o.onPending?.(q);
      timer = setTimeout(() => {
        timer = undefined;
        o.fetch(q).then(
          (r) => {
            if (mine === seq) o.onResult(q, r);
          },
          (e: unknown) => {
            if (mine === seq) o.onError?.(q, e);
          },
        );
      }, o.delayMs);
    },
    cancel() {
      seq++;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
