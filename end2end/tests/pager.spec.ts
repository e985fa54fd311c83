import { expect, Page, test } from '@playwright/test';
import { hydrated, signedIn, uniqueUsername } from './fixtures/act';

// SPEC section 6: list pagers are `Previous page` / `Next page` (a `navigation` named `Pages`),
// and the lists are paged and searched on the server (`Search users`, `Search groups`). The
// records are made through the server functions; what is tested is the list.

async function post(page: Page, url: string, bodies: unknown[]) {
  return page.evaluate(
    async ({ url, bodies }) => {
      for (const body of bodies) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(body),
        });
        if (!response.ok) return `${response.status} ${await response.text()}`;
      }
      return 'ok';
    },
    { url, bodies },
  );
}

const numbered = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);

test('users: 21 matches are two pages of 20; Next page and Previous page move between them', async ({ page }) => {
  await signedIn(page);
  const prefix = uniqueUsername('pager');
  const names = numbered(prefix, 21);
  const made = await post(
    page,
    '/api/users/create',
    names.map((username) => ({ input: { username, display_name: username, email: '', password: '', allocation: 'Professional', device: false } })),
  );
  expect(made).toBe('ok');
  await page.goto('/users');
  await hydrated(page);
  await page.getByLabel('Search users').fill(prefix);
  const pages = page.getByRole('navigation', { name: 'Pages' });
  await expect(page.getByRole('link', { name: names[0], exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: names[20], exact: true })).toHaveCount(0);
  await expect(pages.getByRole('button', { name: 'Previous page' })).toBeDisabled();
  await pages.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByRole('link', { name: names[20], exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: names[0], exact: true })).toHaveCount(0);
  await expect(pages.getByRole('button', { name: 'Next page' })).toBeDisabled();
  await pages.getByRole('button', { name: 'Previous page' }).click();
  await expect(page.getByRole('link', { name: names[19], exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: names[20], exact: true })).toHaveCount(0);
});

test('groups: Search groups finds by name on the server, across pages', async ({ page }) => {
  await signedIn(page);
  const prefix = uniqueUsername('Pager group');
  const names = numbered(prefix, 21);
  const made = await post(
    page,
    '/api/groups/save',
    names.map((name) => ({ input: { id: null, name, description: '', version: 0 } })),
  );
  expect(made).toBe('ok');
  await page.goto('/groups');
  await hydrated(page);
  await page.getByLabel('Search groups').fill(prefix);
  const pages = page.getByRole('navigation', { name: 'Pages' });
  await expect(page.getByRole('link', { name: names[0], exact: true })).toBeVisible();
  await pages.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByRole('link', { name: names[20], exact: true })).toBeVisible();
  await expect(pages.getByRole('button', { name: 'Next page' })).toBeDisabled();
  // One exact name: one match, one page.
  await page.getByLabel('Search groups').fill(names[7]);
  await expect(page.getByRole('link', { name: names[7], exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: names[8], exact: true })).toHaveCount(0);
  await expect(pages.getByRole('button', { name: 'Next page' })).toBeDisabled();
});
