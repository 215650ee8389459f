/**
 * The 401 page a browser sees on a page of the API without a valid session: a form that sends the token
 * once as `?token=` (the server then sets the session cookie and redirects to the page without it).
 */
import { escapeHtml } from '../report/escape.js';
import { htmlPage } from './layout.js';

/**
 * Renders the sign-in page.
 *
 * @example
 * ```ts
 * return c.html(signInPage('invalid token'), 401);
 * ```
 */
export function signInPage(problem: string): string {
  return htmlPage({
    title: 'Graft: sign in',
    heading: 'Graft: sign in',
    subtitle: 'This page needs the API token.',
    body: [
      `<p class="error" role="alert">${escapeHtml(problem)}</p>`,
      '<form method="get">',
      '<p><label for="token">API token</label><br><input id="token" name="token" type="password" autocomplete="current-password" required minlength="8" size="40"></p>',
      '<p><button class="action" type="submit">Sign in</button></p>',
      '</form>',
      '<p class="muted">The token is checked once; the browser then keeps an HttpOnly session cookie for this site.</p>',
    ].join(''),
  });
}
