import { z } from 'zod';

/**
 * The address of a system Causeway calls: an http(s) URL without a user or password in it. A URL
 * is written in logs, errors and alerts to say which call failed; credentials go in the endpoint's
 * own settings (a password, an auth block, headers), which are never written anywhere.
 */
export const serviceUrl = z.url({ protocol: /^https?$/, error: 'expected an http or https URL' })
  .refine((u) => {
    if (!URL.canParse(u)) return true; // the URL check above says what is wrong
    const x = new URL(u);
    return x.username === '' && x.password === '';
  }, {
    error: 'no user or password in the URL: it is written in logs, errors and alerts; give them in the endpoint\'s own settings (password, auth or headers)',
  });
