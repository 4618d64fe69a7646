import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Writes a bench's section of docs/benchmarks.md between its markers (`<!-- <marker>:start -->`
 * and `:end`), appended the first time: only the measured block is rewritten, the reading around
 * it is written by hand.
 */
export function writeSection(file: string, marker: string, section: string): void {
  const [start, end] = [`<!-- ${marker}:start -->`, `<!-- ${marker}:end -->`];
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const block = `${start}\n${section}\n${end}`;
  writeFileSync(
    file,
    old.includes(start)
      ? old.slice(0, old.indexOf(start)) + block + old.slice(old.indexOf(end) + end.length)
      : `${old.trimEnd()}\n\n${block}\n`,
  );
}
