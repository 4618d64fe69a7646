import { useSyncExternalStore } from 'react';

/**
 * One ticking second for every "time in state" on the page: a single timer, and only the small
 * cells that show a duration re-render each second, not the rows around them.
 * The server's clock, not the browser's: `since` comes from the server, so the offset between the
 * two (set from each message's `at`) is added, or a slow PC clock would show negative times.
 */
let offsetMs = 0;
let nowS = Math.floor(Date.now() / 1000);
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setTimeout> | undefined;

function tick() {
  nowS = Math.floor((Date.now() + offsetMs) / 1000);
  for (const l of listeners) l();
  // Aligned to the next whole second, so every cell turns over together.
  timer = setTimeout(tick, 1000 - ((Date.now() + offsetMs) % 1000) + 5);
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  if (!timer) timer = setTimeout(tick, 0);
  return () => {
    listeners.delete(l);
    if (!listeners.size && timer) {
      clearTimeout(timer);
      timer = undefined;
    }
  };
}

/** The server's time minus the browser's, from a message the server stamped `at`. */
export function setServerTime(at: string): void {
  const t = Date.parse(at);
  if (Number.isFinite(t)) offsetMs = t - Date.now();
}

/** The server's now, whole seconds, ticking. */
export function useNowS(): number {
  return useSyncExternalStore(subscribe, () => nowS);
}

/** Whole seconds from `sinceMs` to `nowS` (never negative). */
export function elapsedS(sinceMs: number, nowSeconds: number): number {
  return Math.max(0, nowSeconds - Math.floor(sinceMs / 1000));
}
