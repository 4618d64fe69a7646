import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import YAML from 'yaml';
import { type PromptSynth } from '../../adapters/prompts/synth.js';
import type { Lang } from '../../core/lang.js';
import { announcementPrompts } from '../../core/call/announcements.js';

/** Makes sure every prompt of prompts/system.yaml, and the queue announcements, exists for Asterisk in every language it has. */
export async function ensureSystemPrompts(synth: PromptSynth, repoRoot: string, log: Logger): Promise<void> {
  const catalog = {
    ...(YAML.parse(await readFile(path.join(repoRoot, 'prompts', 'system.yaml'), 'utf8')) as Record<string, Record<Lang, string>>),
    ...announcementPrompts(),
  };
  for (const [name, texts] of Object.entries(catalog)) {
    for (const [lang, text] of Object.entries(texts) as Array<[Lang, string]>) {
      const how = await synth.ensure(lang, name, text);
      if (how !== 'cached') log.info({ prompt: name, lang, how }, 'prompt ready');
    }
  }
}
