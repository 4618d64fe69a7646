/** The knowledge-base API's shapes (docs/knowledge-base.md; the contract the `kb` feature serves). */
export type KbStatus = 'draft' | 'reviewed' | 'published' | 'retired';

export interface KbCategory {
  id: number;
  parentId: number | null;
  name: string;
  position: number;
  articleCount: number;
}

export interface ArticleSummary {
  id: number;
  question: string;
  categoryId: number;
  categoryPath: string[];
  status: KbStatus;
  hits: number;
  /** 0–3. */
  hotness: number;
  updatedAt: string;
}

export interface SearchResult extends ArticleSummary {
  /** Escaped text; matched words in <mark>…</mark>. */
  snippet: string;
  questionHtml: string;
  score: number;
}

export interface Article extends ArticleSummary {
  answer: string;
  basis: string;
  keywords: string[];
  region: string | null;
  department: string | null;
  version: number;
  author: string;
  reviewer: string | null;
  publishedAt: string | null;
  createdAt: string;
  related: Array<{ id: number; question: string }>;
  attachments: Array<{ name: string; url: string }>;
  favourite: { private: boolean; public: boolean };
}

export interface ArticleVersion {
  version: number;
  question: string;
  answer: string;
  basis: string;
  status: KbStatus;
  editedBy: string;
  editedAt: string;
}

export const STATUS_NAMES: Record<KbStatus, [string, string]> = {
  draft: ['草稿', 'Draft'],
  reviewed: ['已审核', 'Reviewed'],
  published: ['已发布', 'Published'],
  retired: ['已停用', 'Retired'],
};

export const STATUS_COLORS: Record<KbStatus, string> = {
  draft: 'default',
  reviewed: 'blue',
  published: 'green',
  retired: 'red',
};
