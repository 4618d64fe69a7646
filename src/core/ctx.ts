/** Deterministic inputs the pure core needs from the outside world: the time and new ids. */
export interface Ctx {
  now: number;
  newId: () => string;
}
