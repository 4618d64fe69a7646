/**
 * CPU time this process spent running `fn` (user + system), in ms. For the "linear time" guards:
 * unlike the wall clock, it does not grow when other processes load the machine (a parallel build,
 * a browser), so the bound judges the algorithm, not the neighbours. Vitest runs each test file in
 * a child process of its own, so the process's CPU time is this file's.
 */
export function cpuTimed<T>(fn: () => T): { value: T; ms: number } {
  const before = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(before);
  return { value, ms: (used.user + used.system) / 1000 };
}
