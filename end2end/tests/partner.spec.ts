import { expect, Page, test } from '@playwright/test';
import { DEMO, hydrated, signedIn } from './fixtures/act';
import { find } from './fixtures/find';
import { openUser } from './fixtures/wizard';

const DEMO_TENANTS = ['acme', 'globex', 'hooli', 'initech', 'umbrella'];

/** act: partner.erin signs in to the portal (no tenant field). */
async function portalSignIn(page: Page) {
  await page.goto('/partner');
  await hydrated(page);
  await expect(page.getByLabel('Tenant')).toHaveCount(0);
  await page.getByLabel('Username').fill('partner.erin');
  await page.getByLabel('Password').fill(DEMO.password);
  await page.getByRole('button', { name: 'Sign in to partner portal' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tenants' })).toBeVisible();
}

test('partner.erin creates tenant wayne from mdm in the portal, and its administrator signs in to it', async ({ page }) => {
  await portalSignIn(page);
  for (const slug of DEMO_TENANTS) {
    await expect(page.getByRole('link', { name: slug, exact: true })).toBeVisible();
  }
  await page.getByLabel('Search tenants').fill('glo');
  await expect(page.getByRole('link', { name: 'acme', exact: true })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'globex', exact: true })).toBeVisible();
  await page.getByLabel('Search tenants').fill('');

  await page.getByRole('button', { name: 'Create tenant' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create tenant' });
  await expect(dialog.getByRole('option')).toHaveText(['iot', 'mdm', 'migration', 'analytics']);
  await dialog.getByLabel('Tenant ID').fill('wayne');
  await dialog.getByLabel('Name', { exact: true }).fill('Wayne Enterprises');
  await dialog.getByLabel('Template').selectOption('mdm');
  await dialog.getByLabel('Administrator username').fill('bruce');
  await dialog.getByLabel('Administrator password').fill('short');
  await dialog.getByRole('button', { name: 'Create tenant' }).click();
  // Refused as the CLI refuses it; what was typed stays.
  await expect(dialog.getByRole('alert')).toContainText('at least 10 characters');
  await expect(dialog.getByLabel('Tenant ID')).toHaveValue('wayne');
  await dialog.getByLabel('Administrator password').fill(DEMO.password);
  await dialog.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Tenant wayne created.' })).toBeVisible();
  await expect(dialog).toHaveCount(0);
  const wayne = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'wayne', exact: true }) });
  await expect(wayne).toContainText('mdm');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in to partner portal' })).toBeVisible();

  await signedIn(page, { tenant: 'wayne', username: 'bruce', password: DEMO.password });
  await expect(find.banner(page)).toContainText('Wayne Enterprises');
});

test('partner.erin changes her roles in acme in the portal; the tenant shows and audits them', async ({ page }) => {
  await portalSignIn(page);
  await page.getByRole('link', { name: 'acme', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Partner administrators' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Global roles of partner.erin' }).click();
  await page.getByRole('checkbox', { name: 'Global User Manager', exact: true }).check();
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Global roles of partner.erin applied.' })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'partner.erin' })).toContainText('Global User Manager');

  // A portal session is not a tenant session.
  await page.goto('/users');
  await expect(page).toHaveURL(/\/login$/);

  await signedIn(page);
  await openUser(page, 'partner.erin');
  await hydrated(page);
  await expect(page.getByRole('checkbox', { name: 'Global User Manager', exact: true })).toBeChecked();

  await page.getByRole('link', { name: 'Audit log' }).click();
  await hydrated(page);
  await page.getByLabel('Actor', { exact: true }).fill('partner.erin');
  await page.getByRole('button', { name: 'Filter' }).click();
  const events = page.getByRole('table').first();
  await expect(events.getByRole('cell', { name: 'user partner.erin', exact: true })).toBeVisible();
  await events.getByRole('button', { name: 'Show changes' }).first().click();
  const diff = page.getByRole('table', { name: 'Changes of user.roles.set on user partner.erin' }).first();
  await expect(diff.getByRole('row').filter({ hasText: 'added: roles: Global User Manager' })).toBeVisible();
});
