import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';

/**
 * Two languages, Simplified Chinese first. Texts are written where they are used, both at once:
 * `t('坐席状态', 'Agent state')`, so no page can ship a key without its Chinese or its English.
 */
export type Lang = 'zh' | 'en';
export type T = (zh: string, en: string) => string;

const KEY = 'tax12366.lang';

export function initialLang(stored: string | null): Lang {
  return stored === 'en' ? 'en' : 'zh';
}

interface LangState {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: T;
}

const Ctx = createContext<LangState>({ lang: 'zh', setLang: () => undefined, t: (zh) => zh });

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => initialLang(localStorage.getItem(KEY)));
  const value = useMemo<LangState>(
    () => ({
      lang,
      setLang: (l) => {
        localStorage.setItem(KEY, l);
        document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
        setLangState(l);
      },
      t: (zh, en) => (lang === 'zh' ? zh : en),
    }),
    [lang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export const useLang = () => useContext(Ctx);
export const useT = (): T => useContext(Ctx).t;
