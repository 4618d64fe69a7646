/**
 * Graph algorithms the IVR validator runs on a definition's nodes, each linear in nodes plus
 * edges: an upload is checked on the thread that serves calls, so a long chain of nodes must
 * cost no more than its length.
 */

/** Node id -> the ids it leads to (each target a node of the graph). */
export type Graph = ReadonlyMap<string, readonly string[]>;

/**
 * The nodes from which some path reaches a terminal node (terminals included): a walk backwards
 * from the terminals along reversed edges, each edge followed once.
 */
export function canReach(graph: Graph, terminal: (id: string) => boolean): Set<string> {
  const into = new Map<string, string[]>();
  for (const [id, targets] of graph) {
    for (const t of targets) {
      const sources = into.get(t);
      if (sources) sources.push(id);
      else into.set(t, [id]);
    }
  }
  const reached = new Set<string>();
  const todo: string[] = [];
  for (const id of graph.keys()) {
    if (!terminal(id)) continue;
    reached.add(id);
    todo.push(id);
  }
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    for (const source of into.get(id) ?? []) {
      if (reached.has(source)) continue;
      reached.add(source);
      todo.push(source);
    }
  }
  return reached;
}

/** Tarjan's algorithm, iterative so a long chain of nodes cannot overflow the stack. Each component sorted. */
export function stronglyConnected(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const frames: Array<{ id: string; i: number }> = [{ id: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (frames.length) {
      const frame = frames[frames.length - 1]!;
      const targets = graph.get(frame.id) ?? [];
      if (frame.i < targets.length) {
        const t = targets[frame.i++]!;
        if (!index.has(t)) {
          index.set(t, next);
          low.set(t, next++);
          stack.push(t);
          onStack.add(t);
          frames.push({ id: t, i: 0 });
        } else if (onStack.has(t)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(t)!));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const scc: string[] = [];
        for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
          onStack.delete(n);
          scc.push(n);
          if (n === frame.id) break;
        }
        result.push(scc.sort());
      }
    }
  }
  return result;
}
