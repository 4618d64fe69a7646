import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

/**
 * Chinese word segmentation (jieba, a native module). Its dictionary takes about 160 ms to load,
 * so it is built once per process, on first use; a cut then takes a few microseconds for a
 * query and well under a millisecond for an article (measured in docs/knowledge-base.md), short
 * enough to run on the thread serving requests.
 */
export interface Segmenter {
  /** Precise mode: each word once ("增值税专用发票" → 增值税, 专用发票). */
  cut(text: string): string[];
  /** Search mode: the words and the shorter words inside them (→ 增值, 增值税, 专用, 发票, 专用发票). */
  cutForSearch(text: string): string[];
}

let jieba: Jieba | undefined;
const instance = () => (jieba ??= Jieba.withDict(dict));

export const jiebaSegmenter: Segmenter = {
  cut: (text) => instance().cut(text, true),
  cutForSearch: (text) => instance().cutForSearch(text, true),
};
