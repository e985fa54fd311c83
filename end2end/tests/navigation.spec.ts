import { expect, Page, test } from '@playwright/test';
import { hydrated, signedIn } from './fixtures/act';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

/** The roles page, once the shell knows the tenant (the header names it). */
async function rolesPage(page: Page, tenantName: string) {
  await page.goto('/roles');
  await hydrated(page);
  await expect(page.getByRole('banner')).toContainText(tenantName);
  await expect(page.getByRole('tab', { name: 'Global roles' })).toBeVisible();
}

test('iot has device groups: the navigation and the roles page offer them', async ({ page }) => {
  await signedIn(page);
  await rolesPage(page, 'Acme Industries');
  await expect(nav(page).getByRole('link', { name: 'Device groups' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Inventory roles' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Roles');
});

test('mdm has no device groups: neither the navigation nor the roles page offers them', async ({ page }) => {
  await signedIn(page, { tenant: 'globex' });
  await rolesPage(page, 'Globex Corporation');
  await expect(nav(page).getByRole('link', { name: 'Spaces' })).toBeVisible();
  await expect(nav(page).getByRole('link', { name: 'Device groups' })).toHaveCount(0);
  await expect(page.getByRole('tab', { name: 'Inventory roles' })).toHaveCount(0);
});

test('migration calls its roles Role Groups, and the controls keep their names', async ({ page }) => {
  await signedIn(page, { tenant: 'initech' });
  await rolesPage(page, 'Initech');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Role Groups');
  await expect(nav(page).getByRole('link', { name: 'Roles', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Add global role' })).toBeVisible();
  await expect(nav(page).getByRole('link', { name: 'Device groups' })).toHaveCount(0);
});
