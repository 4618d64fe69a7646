/** A URL fit for a log line or an error: any password (redis://:secret@, postgres://user:secret@) replaced by ***. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
