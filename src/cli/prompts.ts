/** `npm run prompts`: synthesizes missing prompts before Asterisk needs them (the apology plays even when the service is down). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { PromptSynth } from '../adapters/prompts/synth.js';
import { ensureSystemPrompts } from '../features/ivr/system-prompts.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const log = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const synth = new PromptSynth({
  soundsDir: process.env.SOUNDS_DIR ?? '/var/cache/tax12366/sid-rootfs/usr/share/asterisk/sounds',
  recordedDir: path.join(root, 'prompts', 'recorded'),
  ttsRoot: process.env.TTS_ROOT ?? '/var/cache/tax12366/sid-rootfs',
});
await ensureSystemPrompts(synth, root, log);
