import { highlightSegments } from './highlight';

/** The API's highlighted text as React nodes: <mark> for matched words, everything else plain text. */
export function Highlighted({ html }: { html: string }) {
  return (
    <>
      {highlightSegments(html).map((s, i) =>
        s.mark ? (
          <mark key={i} style={{ background: '#fff1b8', padding: 0, color: 'inherit' }}>
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}
