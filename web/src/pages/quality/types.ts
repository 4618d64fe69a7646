/** The quality review API's shapes (features/quality), as the pages read them. */

export interface FormItem {
  /** Stable within the form's versions: scores are stored by it. */
  key: string;
  label: string;
  labelEn?: string;
  weight: number;
  maxScore: number;
}

export interface QualityForm {
  version: number;
  items: FormItem[];
  updatedAt: string;
  updatedBy: string;
}

export interface ReviewComment {
  /** Where in the recording, in ms from its start. */
  atMs: number;
  text: string;
}

export interface Review {
  id: string;
  recordingId: string;
  callId: string;
  agentId: string;
  reviewer: string;
  formVersion: number;
  scores: Record<string, number>;
  total: number;
  comments: ReviewComment[];
  summary: string | null;
  createdAt: string;
  /** GET /api/quality/reviews/:id only: the form of its version. */
  items?: FormItem[];
}

export interface ReviewPage {
  items: Review[];
  next?: string;
}

export interface QualityReportRow {
  agentId: string;
  agentName: string | null;
  reviews: number;
  avgTotal: number;
  minTotal: number;
  maxTotal: number;
  /** Per form item: the average score as a percentage of its maximum. */
  byItem: Record<string, number>;
}

export interface QualityReport {
  month: string;
  rows: QualityReportRow[];
}
