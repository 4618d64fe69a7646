import type { ArticleVersion } from '../../kb/types';

/**
 * A version as the document the line diff compares: the answer one clause a line (cut after 。；！？
 * and ，), so an edit shows as the clause it changed rather than the whole answer (answers are one
 * paragraph), and lines stay short enough to read without scrolling sideways.
 */
export function versionDoc(v: Pick<ArticleVersion, 'question' | 'answer' | 'basis' | 'status'>): Record<string, unknown> {
  return { 问题: v.question, 答案: sentences(v.answer), 依据: sentences(v.basis ?? ''), 状态: v.status };
}

export function sentences(text: string): string[] {
  return text
    .split(/(?<=[。；！？，;!?])|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The editor's keyword field: typed with 、，, or spaces between, kept unique and in order. */
export function splitKeywords(input: string[] | string): string[] {
  const parts = (Array.isArray(input) ? input : [input]).flatMap((s) => s.split(/[、，,;；\s]+/));
  return [...new Set(parts.map((s) => s.trim()).filter(Boolean))];
}
