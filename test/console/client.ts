// A signed-in console user over plain HTTP: keeps the session cookie and reads the CSRF token off the pages.
import { KEYS, type TestApi } from '../api/harness.ts';

export interface ConsoleUser {
  cookie: string;
  csrf: string;
  get(path: string): Promise<{ status: number; text: string; location: string | null }>;
  /** A form post as the console's own pages send it (same origin, the session's token), unless told otherwise. */
  post(path: string, form?: Record<string, string>, options?: { csrf?: string | null; origin?: string | null }): Promise<{ status: number; text: string; location: string | null }>;
}

export async function signIn(api: TestApi, key: string = KEYS.acme): Promise<ConsoleUser> {
  const res = await fetch(`${api.url}/login`, { method: 'POST', redirect: 'manual', headers: { origin: api.url }, body: new URLSearchParams({ key }) });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetch(`${api.url}/`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  const answer = async (r: Response) => ({ status: r.status, text: await r.text(), location: r.headers.get('location') });
  return {
    cookie, csrf,
    get: async (path) => answer(await fetch(api.url + path, { redirect: 'manual', headers: { cookie } })),
    post: async (path, form = {}, options = {}) => {
      const headers: Record<string, string> = { cookie };
      const origin = options.origin === undefined ? api.url : options.origin;
      if (origin !== null) headers.origin = origin;
      const token = options.csrf === undefined ? csrf : options.csrf;
      const body = new URLSearchParams(token === null ? form : { ...form, _csrf: token });
      return answer(await fetch(api.url + path, { method: 'POST', redirect: 'manual', headers, body }));
    },
  };
}
