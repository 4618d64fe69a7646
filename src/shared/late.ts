/**
 * A dependency bound after its user is built, for two services that call each other (the
 * dispatcher hands agents to calls; calls put themselves in the dispatcher's queues). Bound
 * once; a use before that is a wiring mistake and says which dependency.
 */
export interface Late<T> extends Port<T> {
  bind(value: T): void;
}

/** What the user of a late-bound dependency sees. */
export interface Port<T> {
  get(): T;
}

export function late<T>(what: string): Late<T> {
  let bound: { value: T } | undefined;
  return {
    get() {
      if (!bound) throw new Error(`${what} used before it was wired`);
      return bound.value;
    },
    bind(value) {
      if (bound) throw new Error(`${what} wired twice`);
      bound = { value };
    },
  };
}
