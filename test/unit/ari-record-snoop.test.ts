import { describe, expect, it } from 'vitest';
import { AriClient } from '../../src/adapters/ari/client.js';
import { AriHttpError, type AriHttp } from '../../src/adapters/ari/http.js';

/** An ARI whose record answers come from a list, in order; every request is kept. */
function ari(answers: Array<number | 'ok'>) {
  const posts: string[] = [];
  const http = {
    post: async (path: string) => {
      posts.push(path);
      const a = answers.shift();
      if (a === undefined || a === 'ok') return undefined;
      throw new AriHttpError('POST', path, a, 'refused');
    },
  } as unknown as AriHttp;
  return { client: new AriClient(http, 'tax12366'), posts };
}

describe('recording a snoop that has not entered Stasis yet', () => {
  it('retries on 404 / 409 until Asterisk takes it', async () => {
    const { client, posts } = ari([409, 404, 'ok']);
    await client.recordSnoop('snoop-1', 'calls/2026-12-08/x-caller', [1, 1, 1]);
    expect(posts).toEqual(Array(3).fill('channels/snoop-1/record'));
  });

  it('gives up after its waits, with the last refusal', async () => {
    const { client, posts } = ari([409, 409, 409, 409]);
    await expect(client.recordSnoop('snoop-1', 'n', [1, 1])).rejects.toMatchObject({ status: 409 });
    expect(posts).toHaveLength(3);
  });

  it('does not retry a real refusal (422: the file exists)', async () => {
    const { client, posts } = ari([422, 'ok']);
    await expect(client.recordSnoop('snoop-1', 'n', [1, 1])).rejects.toMatchObject({ status: 422 });
    expect(posts).toHaveLength(1);
  });
});
