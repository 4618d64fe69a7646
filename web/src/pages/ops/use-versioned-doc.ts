import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../lib/api';
import type { Problem } from './problems';
import { listVersions, readVersion, saveDraft, type Kind, type VersionRow } from './versions-api';

/**
 * One configuration as a page edits it: its versions, the document in the editor (loaded from the
 * active version, or any other), and saving it as a new draft. A refused draft leaves the problems
 * the API named (each at its path) for the fields to show; nothing was stored.
 */
export function useVersionedDoc<T>(kind: Kind) {
  const [versions, setVersions] = useState<VersionRow[]>([]);
  const [doc, setDoc] = useState<T>();
  const [base, setBase] = useState<number>();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<number>();

  const reload = useCallback(async () => {
    // Newest first: the draft just saved is at the top.
    const list = (await listVersions(kind)).sort((a, b) => b.version - a.version);
    setVersions(list);
    return list;
  }, [kind]);

  const load = useCallback(
    async (version: number) => {
      setDoc(await readVersion<T>(kind, version));
      setBase(version);
      setProblems([]);
      setError(undefined);
    },
    [kind],
  );

  useEffect(() => {
    void reload()
      .then(async (list) => {
        const active = list.find((v) => v.active)?.version;
        if (active !== undefined) await load(active);
      })
      .catch((e: unknown) => setError((e as Error).message));
  }, [reload, load]);

  const save = useCallback(
    async (comment: string): Promise<number | undefined> => {
      if (doc === undefined) return undefined;
      setProblems([]);
      setError(undefined);
      try {
        const version = await saveDraft(kind, doc, comment);
        setSaved(version);
        setBase(version);
        await reload();
        return version;
      } catch (e) {
        if (e instanceof ApiError && e.problems.length) setProblems(e.problems);
        else if (e instanceof ApiError && e.field) setProblems([{ path: `/${e.field}`, message: e.message }]);
        setError((e as Error).message);
        return undefined;
      }
    },
    [kind, doc, reload],
  );

  const edit = useCallback((next: T) => {
    setDoc(next);
    setSaved(undefined);
  }, []);

  return { versions, reload, doc, edit, base, load, save, saved, problems, error, setError };
}
