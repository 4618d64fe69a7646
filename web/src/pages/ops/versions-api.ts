import { api, get, post, query } from '../../lib/api';

/** The versioned-configuration API (/api/ivr, /api/routing), as both configuration pages use it. */
export type Kind = 'ivr' | 'routing';

export interface VersionRow {
  version: number;
  createdAt: string;
  createdBy: string;
  comment: string | null;
  active: boolean;
}

export interface Activated {
  active: number;
  warnings?: Array<{ path: string; message: string }>;
}

export const listVersions = (kind: Kind) => get<VersionRow[]>(`/api/${kind}/versions`);
export const readVersion = <T>(kind: Kind, version: number) => get<T>(`/api/${kind}/versions/${version}`);
export const activeVersion = async (kind: Kind) => (await get<{ version: number }>(`/api/${kind}/active`)).version;
/** A new draft: stored, not activated. A refused one is an ApiError with every problem at its path. */
export const saveDraft = async (kind: Kind, doc: unknown, comment: string) =>
  (await api<{ version: number }>('POST', `/api/${kind}/versions${query({ comment: comment.trim() || undefined })}`, doc)).version;
export const activate = (kind: Kind, version: number) => post<Activated>(`/api/${kind}/versions/${version}/activate`);
export const rollback = (kind: Kind) => post<Activated>(`/api/${kind}/rollback`);
