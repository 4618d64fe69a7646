/**
 * Search quality on the sample knowledge base: every question of test/fixtures/kb-questions.json
 * through GET /api/kb/search (restricted to the sample base's own root), scored as recall@1,
 * recall@3 and precision@3 per kind of question (colloquial, partial word, one-character typo).
 * Prints the table, writes docs/benchmarks/kb-quality.json (commit, date, every question's top 3)
 * and the "Search quality" section of docs/knowledge-base.md.
 *
 *   bash scripts/with-env.sh flock /tmp/tax12366-rig.lock npx tsx bench/kb-quality.ts [--no-doc]
 *
 * Against a running service instead of one started here: KB_URL=http://127.0.0.1:3000 ADMIN_TOKEN=…
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ensureSampleBase,
  loadQuestions,
  scoreQuestion,
  search,
  summarize,
  type Call,
  type QualityRow,
} from '../test/support/kb-quality.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOC = path.join(ROOT, 'docs', 'knowledge-base.md');
const JSON_OUT = path.join(ROOT, 'docs', 'benchmarks', 'kb-quality.json');
const START = '<!-- kb-quality:start -->';
const END = '<!-- kb-quality:end -->';
const WRITE_DOC = !process.argv.includes('--no-doc');

async function target(): Promise<{ call: Call; stop: () => Promise<void> }> {
  const viaFetch =
    (url: string, token: string): Call =>
    async (method, p, body) => {
      const r = await fetch(`${url}${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, body: text && (r.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
    };
  if (process.env.KB_URL) {
    if (!process.env.ADMIN_TOKEN) throw new Error('KB_URL needs ADMIN_TOKEN');
    return { call: viaFetch(process.env.KB_URL.replace(/\/$/, ''), process.env.ADMIN_TOKEN), stop: async () => undefined };
  }
  const { startTestService } = await import('../test/support/service.js');
  const rig = await startTestService();
  return { call: viaFetch(rig.svc.url, rig.svc.config.ADMIN_TOKEN), stop: rig.stop };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const KIND_NAMES: Record<QualityRow['kind'], string> = {
  colloquial: 'colloquial (口语)',
  partial: 'partial word (半个词)',
  typo: 'one-character typo (错一字)',
  all: '**all**',
};

function table(rows: QualityRow[]): string {
  return [
    '| questions | n | expected in top 3 | recall@1 | recall@3 | precision@3 | precision@3 ceiling |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${KIND_NAMES[r.kind]} | ${r.questions} | ${r.passed}/${r.questions} | ${pct(r.recall1)} | ${pct(r.recall3)} | ${pct(r.precision3)} | ${pct(r.precisionCeiling)} |`,
    ),
  ].join('\n');
}

const t = await target();
try {
  const { rootId, imported } = await ensureSampleBase(t.call);
  const scores = [];
  const took: number[] = [];
  for (const item of loadQuestions()) {
    const { hits, tookMs } = await search(t.call, item.q, rootId, 10);
    took.push(tookMs);
    scores.push(
      scoreQuestion(
        item,
        hits.map((h) => h.question),
      ),
    );
  }
  const rows = summarize(scores);
  const failed = scores.filter((s) => !s.passed);
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const date = new Date().toISOString();
  const sorted = [...took].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(table(rows));
  console.log(`search tookMs (the service's own timing, sample base only): median ${median}, max ${sorted.at(-1)}`);
  for (const f of failed) console.log(`MISSED ${f.kind} 「${f.q}」 top 3: ${f.top.join(' | ')}; missing: ${f.missing.join(' | ')}`);
  mkdirSync(path.dirname(JSON_OUT), { recursive: true });
  writeFileSync(
    JSON_OUT,
    JSON.stringify({ commit, date, importedThisRun: imported, rows, tookMs: { median, max: sorted.at(-1) }, questions: scores }, null, 2) +
      '\n',
  );
  if (WRITE_DOC) {
    const section = [
      START,
      `Measured at commit \`${commit}\` on ${date.slice(0, 10)} (${scores.length} questions; \`bench/kb-quality.ts\`; every question's top 3 in \`docs/benchmarks/kb-quality.json\`).`,
      '',
      table(rows),
      '',
      failed.length
        ? `Questions whose expected articles were not all in the top 3:\n\n${failed.map((f) => `- ${f.kind} 「${f.q}」: got ${f.top.map((x) => `「${x}」`).join('、') || 'nothing'}`).join('\n')}`
        : 'Every question found its expected articles in the top 3.',
      END,
    ].join('\n');
    const doc = readFileSync(DOC, 'utf8');
    const i = doc.indexOf(START);
    const j = doc.indexOf(END);
    if (i < 0 || j < 0) throw new Error(`${DOC} has no ${START} … ${END} section`);
    writeFileSync(DOC, doc.slice(0, i) + section + doc.slice(j + END.length));
  }
} finally {
  await t.stop();
}
