import { useEffect, useState } from 'react';
import { get } from './api';

/**
 * What people call a queue: its business line from the active IVR (国税 · 增值税 for ntax-vat),
 * since the routing names queues by code only. A queue no menu node sends calls to keeps its code.
 */
export function queueLabelsFromIvr(doc: {
  nodes?: Record<string, { queue?: unknown; line?: unknown; subLine?: unknown }>;
}): Map<string, string> {
  const labels = new Map<string, string>();
  for (const node of Object.values(doc.nodes ?? {})) {
    if (typeof node.queue !== 'string' || typeof node.line !== 'string') continue;
    const label = typeof node.subLine === 'string' && node.subLine ? `${node.line} · ${node.subLine}` : node.line;
    // The most specific label wins when several nodes send calls to one queue (其它 from the menu and from a timeout).
    if (!labels.has(node.queue) || label.length > labels.get(node.queue)!.length) labels.set(node.queue, label);
  }
  return labels;
}

/** The active IVR's labels, read once per page; empty (codes shown) until read or if it cannot be. */
export function useQueueLabels(): Map<string, string> {
  const [labels, setLabels] = useState<Map<string, string>>(() => new Map());
  useEffect(() => {
    let live = true;
    get<{ version: number }>('/api/ivr/active')
      .then(({ version }) => get<Parameters<typeof queueLabelsFromIvr>[0]>(`/api/ivr/versions/${version}`))
      .then((doc) => live && setLabels(queueLabelsFromIvr(doc)))
      .catch(() => undefined);
    return () => void (live = false);
  }, []);
  return labels;
}
