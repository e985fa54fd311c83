import { expect, Page, Response, Route, test } from '@playwright/test';
import { hydrated, signIn } from './fixtures/act';
import { onHomePage } from './fixtures/check';
import { editor } from './fixtures/roles';
import { find } from './fixtures/find';

// SPEC section 5 asks for at most 200 KiB of WASM and JS (brotli, as sent) before `/login` is
// interactive, and at most 200 KiB more before the users list is. Met since 2026-12-06: the
// console's pages load in three groups, one split point each, instead of one split point per
// page (app/src/pages/lazy.rs: the split bundle has 23 WASM files instead of 680, and small files
// compress badly on their own), and the sign-in page is in the main module and calls the server
// through a lazily loaded part (app/src/pages/login.rs). Measured then: `/login` 187,112 bytes in
// 3 files (was 335,469 in 119), the way to the users list 182,846 more in 15 (was 264,452 in 295).
// Both are held to the goal, and to what the build measured plus 3% so that neither grows
// unnoticed up to it.
const GOAL = 200 * 1024;
const LOGIN_CEILING = 192_700;
const USERS_CEILING = 188_300;

type Download = { path: string; bytes: number; encoding: string };

/** Every JS and WASM file the page fetches, with the bytes that came over the wire. */
function meter(page: Page) {
  const pending: Promise<Download>[] = [];
  page.on('response', (response: Response) => {
    const path = new URL(response.url()).pathname;
    if (!/\.(js|wasm)$/.test(path)) return;
    // The length the server sent (the .br file as written at build time). The browser's own
    // count of received bytes is not usable here: a chunk that two lazy functions ask for at once
    // is fetched once and reported twice, once with a negative size.
    pending.push(
      (async () => ({
        path,
        bytes: Number(await response.headerValue('content-length')),
        encoding: (await response.headerValue('content-encoding')) ?? 'identity',
      }))(),
    );
  });
  /** The files fetched so far that `before` does not already hold. */
  return async (before: Download[] = []) => {
    const all = await Promise.all(pending);
    const known = new Set(before.map((d) => d.path));
    const unique = new Map(all.filter((d) => !known.has(d.path)).map((d) => [d.path, d]));
    return [...unique.values()];
  };
}

const total = (downloads: Download[]) => downloads.reduce((sum, d) => sum + d.bytes, 0);
/** Prints the total and the largest files (the README's figures come from this). */
const report = (what: string, downloads: Download[]) =>
  console.log(
    `${what}: ${total(downloads)} bytes brotli in ${downloads.length} files (goal ${GOAL}); largest:\n` +
      [...downloads]
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 5)
        .map((d) => `  ${d.bytes}\t${d.path.replace(/^.*\/pkg\//, '')}`)
        .join('\n'),
  );

test('the sign-in page and then the users list load no more code than the ceilings, brotli', async ({ page }) => {
  const downloads = meter(page);
  await page.goto('/login');
  await hydrated(page);
  const login = await downloads();
  report('/login', login);
  expect(login.length, 'the page loads its code').toBeGreaterThan(1);
  for (const d of login) expect(d.bytes, `${d.path} has a length`).toBeGreaterThan(0);
  for (const d of login) expect(d.encoding, d.path).toBe('br');
  expect(total(login)).toBeLessThanOrEqual(LOGIN_CEILING);
  expect(total(login), 'SPEC section 5: at most 200 KiB before /login is interactive').toBeLessThanOrEqual(GOAL);

  await signIn(page);
  await onHomePage(page);
  await page.goto('/users');
  await hydrated(page);
  await expect(page.getByRole('table')).toBeVisible();
  const users = await downloads(login);
  report('sign in, home, /users', users);
  for (const d of users) expect(d.encoding, d.path).toBe('br');
  for (const d of users) expect(d.bytes, `${d.path} has a length`).toBeGreaterThan(0);
  expect(total(users)).toBeLessThanOrEqual(USERS_CEILING);
  expect(total(users), 'SPEC section 5: at most 200 KiB more before the users list is interactive').toBeLessThanOrEqual(GOAL);
});

test('pages whose code is not loaded yet work after client-side navigation', async ({ page }) => {
  await signIn(page);
  await onHomePage(page);
  await hydrated(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Roles' }).click();
  await expect(page).toHaveURL(/\/roles$/);
  // The roles page's chunk came over the network and its controls have their handlers.
  await page.getByLabel('Search roles', { exact: true }).fill('admins');
  await page.getByRole('heading', { name: 'admins', exact: true }).click();
  // So did the editor's.
  await expect(editor.name(page)).toHaveValue('admins');
  await page.goBack();
  await expect(page).toHaveURL(/\/roles$/);
  await expect(page.getByLabel('Search roles', { exact: true })).toBeVisible();
});

test('the hydration marker waits for the page\'s lazily loaded code', async ({ page }) => {
  // The sign-in page is in the main module; the console's pages are lazily loaded groups.
  await signIn(page);
  await onHomePage(page);
  // On a full load of the users list the first WASM file is the main module; every later one
  // is a part of the split bundle the page asks for once the main module runs. Hold those back.
  const held: Route[] = [];
  let wasm = 0;
  let holding = true;
  await page.route(
    (url) => url.pathname.endsWith('.wasm'),
    async (route) => {
      wasm += 1;
      if (wasm > 1 && holding) held.push(route);
      else await route.continue();
    },
  );
  await page.goto('/users');
  await expect.poll(() => held.length, { message: 'the page asks for a lazily loaded part' }).toBeGreaterThan(0);
  // The main module runs, but part of the page's code has not arrived: no marker, however long.
  await page.waitForTimeout(1_500);
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  holding = false;
  for (const route of held.splice(0)) await route.continue();
  await hydrated(page);
  // Once it says so, the controls have their handlers.
  await find.userMenu(page).click();
  await expect(find.userMenu(page)).toHaveAttribute('aria-expanded', 'true');
});
