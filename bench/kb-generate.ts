/** Generated knowledge-base articles and queries for bench/kb-search.ts: reproducible from fixed seeds. */
import type pg from 'pg';
import { mulberry32 } from './prng.js';
import { ACTIONS, BASES, DEPARTMENTS, OBJECTS, REGIONS, STEPS, SUBJECTS, TAXES, TYPO_CHARS } from './kb-vocabulary.js';
import { KbService } from '../src/features/kb/kb-service.js';
import { PgKbRepo } from '../src/features/kb/kb-repo.js';
import { CategoryCache } from '../src/features/kb/category-cache.js';
import { jiebaSegmenter } from '../src/adapters/text/segment.js';

// ---- the generated base

const rnd = mulberry32(12366);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

interface Generated {
  categoryPath: string[];
  question: string;
  answer: string;
  basis: string;
  keywords: string[];
  region: string;
  department: string;
  hits: number;
}

function article(): Generated {
  const region = pick(REGIONS);
  const department = pick(DEPARTMENTS);
  const tax = pick(TAXES);
  const subject = pick(SUBJECTS);
  const object = pick(OBJECTS);
  const action = pick(ACTIONS);
  const question = rnd() < 0.5 ? `${subject}${object}${action}？` : `${subject}的${tax}${object}${action}？`;
  const other = pick(OBJECTS);
  const answer = [
    `根据${pick(BASES)}的规定，${subject}涉及${tax}${object}的，应当${pick(STEPS)}。`,
    `${object}与${other}的处理不同，${subject}应分别核算。`,
    rnd() < 0.5 ? `纳税人可${pick(STEPS)}，如有疑问请拨打12366纳税服务热线。` : `${region}的纳税人也可到就近的办税服务厅咨询。`,
  ].join('');
  // Hits from 0 to about 3000, log-uniform: a few very hot articles, most rarely opened.
  const hits = Math.floor(Math.exp(rnd() * 8)) - 1;
  return {
    categoryPath: ['问题库', region, department, tax],
    question,
    answer,
    basis: pick(BASES),
    keywords: [object, tax],
    region,
    department,
    hits,
  };
}

export async function populate(pool: pg.Pool, count: number): Promise<{ seconds: number; categories: number }> {
  const t0 = Date.now();
  const repo = new PgKbRepo(pool);
  const kb = new KbService(repo, new CategoryCache(() => repo.categoryNodes()), jiebaSegmenter);
  const categoryIds = new Map<string, number>();
  const categoryOf = async (p: string[]) => {
    let parent: number | null = null;
    for (let i = 0; i < p.length; i++) {
      const key = p.slice(0, i + 1).join('>');
      let id = categoryIds.get(key);
      if (id === undefined) categoryIds.set(key, (id = (await repo.ensureCategory(parent, p[i]!)).id));
      parent = id;
    }
    return parent!;
  };
  const BATCH = 1000;
  for (let done = 0; done < count; done += BATCH) {
    const rows = [];
    for (let i = 0; i < Math.min(BATCH, count - done); i++) {
      const g = article();
      const text = kb.textOf({
        categoryId: await categoryOf(g.categoryPath),
        question: g.question,
        answer: g.answer,
        basis: g.basis,
        keywords: g.keywords,
        region: g.region,
        department: g.department,
      });
      rows.push({ ...text, hits: g.hits });
    }
    await pool.query(
      `INSERT INTO kb_articles (category_id, question, answer, basis, keywords, region, department, status, author, edited_by, search_doc, trgm_text, hits, published_at)
       SELECT c, q, a, b, string_to_array(k, '|'), r, d, 'published', 'kbbench', 'kbbench', s::tsvector, t, h, now()
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[])
         AS x(c, q, a, b, k, r, d, s, t, h)`,
      [
        rows.map((r) => r.categoryId),
        rows.map((r) => r.question),
        rows.map((r) => r.answer),
        rows.map((r) => r.basis),
        rows.map((r) => r.keywords.join('|')),
        rows.map((r) => r.region),
        rows.map((r) => r.department),
        rows.map((r) => r.searchDoc),
        rows.map((r) => r.trgmText),
        rows.map((r) => r.hits),
      ],
    );
    if ((done / BATCH) % 10 === 0) process.stderr.write(`[bench] ${done + rows.length} articles\n`);
  }
  // The service adds (and counts) each article's words as it writes it (kb-repo.ts); written in bulk here, all at once.
  await pool.query(
    'INSERT INTO kb_words (word, ndoc) SELECT t, count(*) FROM kb_articles, unnest(tsvector_to_array(search_doc)) t GROUP BY t ON CONFLICT (word) DO UPDATE SET ndoc = excluded.ndoc',
  );
  await pool.query('VACUUM ANALYZE kb_articles');
  await pool.query('VACUUM ANALYZE kb_words');
  return { seconds: (Date.now() - t0) / 1000, categories: categoryIds.size };
}

// ---- the queries

export type Kind = 'word' | 'partial' | 'typo' | 'colloquial';

/** How a caller ends a question, in words no generated article holds together with the rest (算, 退, 多久 …). */
const COLLOQUIAL_TAILS = ['怎么算', '能退多少', '多久内要办', '找谁办', '要交多少'];

/**
 * A fixed mix (same seed, same queries): 40 % whole words, 25 % partial words as typed, 15 %
 * one-character typos, 20 % colloquial questions (a district, a taxpayer, a subject and a spoken
 * tail: few articles hold all of those words, so these take the coverage fallback).
 */
export function queries(n: number): Array<{ kind: Kind; q: string }> {
  const r = mulberry32(22);
  const p = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const out: Array<{ kind: Kind; q: string }> = [];
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.4) out.push({ kind: 'word', q: r() < 0.5 ? `${p(TAXES)} ${p(OBJECTS)}` : `${p(SUBJECTS)}${p(OBJECTS)}` });
    else if (x < 0.65) {
      // As typed: a phrase some articles hold, cut inside its last word.
      const [head, last] = r() < 0.5 ? [p(SUBJECTS), p(OBJECTS)] : [p(TAXES), p(OBJECTS)];
      out.push({ kind: 'partial', q: head + last.slice(0, 1 + Math.floor(r() * (last.length - 1))) });
    } else if (x < 0.8) {
      const phrase = `${p(SUBJECTS)}${p(OBJECTS)}${p(ACTIONS)}`;
      const at = Math.floor(r() * phrase.length);
      out.push({ kind: 'typo', q: phrase.slice(0, at) + p([...TYPO_CHARS]) + phrase.slice(at + 1) });
    } else {
      out.push({ kind: 'colloquial', q: `${p(REGIONS)}${p(SUBJECTS)}的${p(OBJECTS)}${p(COLLOQUIAL_TAILS)}` });
    }
  }
  return out;
}
