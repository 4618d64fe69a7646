/** A language callers hear prompts in and reports are written in; prompts and times default to Mandarin. */
export type Lang = 'zh' | 'en';
