import { expect, test } from '@playwright/test';
import { DEMO, hydrated, signIn, signOut, submitSignIn } from './fixtures/act';
import { onHomePage, onLoginPage } from './fixtures/check';
import { find } from './fixtures/find';

test('a wrong password shows one generic error and stays on the sign-in page', async ({ page }) => {
  await signIn(page, { password: 'not-the-password' });
  await expect(find.alert(page)).toHaveText('The tenant, username or password is not correct.');
  await onLoginPage(page);
  await expect(find.tenant(page)).toHaveValue(DEMO.tenant);
});

test('without the page\'s code the sign-in form still works: a wrong password comes back with the fields kept, the right one signs in', async ({ page }) => {
  // No WASM ever arrives: the page is what the server rendered, and the form posts itself.
  await page.route((url) => url.pathname.endsWith('.wasm'), (route) => route.abort());
  await page.goto('/login');
  await submitSignIn(page, { username: 'admin', password: 'not-the-password' });
  await expect(page).toHaveURL(/\/login\?error=failed&tenant=acme&username=admin$/);
  await expect(find.alert(page)).toHaveText('The tenant, username or password is not correct.');
  await expect(find.tenant(page)).toHaveValue(DEMO.tenant);
  await expect(find.username(page)).toHaveValue('admin');
  await expect(find.password(page)).toHaveValue('');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(0);

  await find.password(page).fill(DEMO.password);
  await find.signIn(page).click();
  await onHomePage(page);
});

test('once the sign-in page is hydrated, signing in opens the console without a page load', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
  await submitSignIn(page);
  await onHomePage(page);
  const marker = await page.evaluate(() => (window as unknown as { marker?: number }).marker);
  expect(marker, 'the same document: the console opened in the page').toBe(7);
});

test('an anonymous visit to a page lands on the sign-in page', async ({ page }) => {
  await page.goto('/');
  await onLoginPage(page);
});

test('the demo administrator signs in and sees the tenant on the home page', async ({ page }) => {
  await signIn(page);
  await onHomePage(page);
  await expect(page.getByRole('main').getByText('admin', { exact: true })).toBeVisible();
});

test('the page is hydrated: the user menu opens without a reload', async ({ page }) => {
  await signIn(page);
  await onHomePage(page);
  await hydrated(page);
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  await expect(find.signOut(page)).toBeHidden();
  await find.userMenu(page).click();
  await expect(find.userMenu(page)).toHaveAttribute('aria-expanded', 'true');
  await expect(find.signOut(page)).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(find.signOut(page)).toBeHidden();
  const marker = await page.evaluate(() => (window as unknown as { marker?: number }).marker);
  expect(marker, 'the same document: no full reload happened').toBe(42);
});

test('sign out returns to the sign-in page and the old cookie no longer works', async ({ page, context, request }) => {
  await signIn(page);
  await onHomePage(page);
  const before = (await context.cookies()).find((c) => c.name === 'castellan_session');
  expect(before?.httpOnly).toBe(true);
  expect(before?.sameSite).toBe('Lax');
  await hydrated(page);
  await signOut(page);
  await onLoginPage(page);

  const cookie = `castellan_session=${before!.value}`;
  const home = await request.get('/', { headers: { cookie }, maxRedirects: 0 });
  expect(home.status()).toBe(303);
  expect(home.headers()['location']).toBe('/login');
  const me = await request.post('/api/current_user', { headers: { cookie } });
  expect(me.status()).toBe(401);
});
