import http from 'node:http';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** JSON of any shape, as the tests read it. */
  body: any;
}

/**
 * An HTTP request whose connection comes from `localAddress` (any 127.0.0.0/8 address is this
 * host's loopback on Linux): how a test plays a second client at another address. Node's fetch
 * cannot bind its source address without undici's Agent, which is not a dependency.
 */
export function requestFrom(
  localAddress: string,
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: opts.method ?? 'GET',
        localAddress,
        // One connection per request: a pooled socket would keep the address of its first use.
        agent: false,
        headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        // An answer to an Upgrade request comes on a connection handed to the WebSocket server,
        // which may not end it: the status is what is read, and the connection is closed.
        if (opts.headers?.upgrade) {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
          req.destroy();
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          const json = (res.headers['content-type'] ?? '').includes('json') && text;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: json ? JSON.parse(text) : text });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
