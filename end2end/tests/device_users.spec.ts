import { expect, test } from '@playwright/test';
import { hydrated, signedIn, uniqueUsername } from './fixtures/act';

// iot (seed 001): "After registration, a device automatically has this role" (`devices`); the
// users list filters human and device users.

test('a device user gets the devices role, and User type shows device or human users', async ({ page }) => {
  await signedIn(page);
  await page.goto('/users');
  await hydrated(page);
  const pump = uniqueUsername('pump');
  await page.getByRole('button', { name: 'Add user' }).click();
  await page.getByLabel('Username').fill(pump);
  await page.getByLabel('Device user').check();
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('status').filter({ hasText: 'User created.' }).waitFor();

  await page.getByLabel('User type').selectOption({ label: 'Device users' });
  await expect(page.getByRole('link', { name: pump, exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'bob', exact: true })).toHaveCount(0);
  await page.getByLabel('User type').selectOption({ label: 'Human users' });
  await expect(page.getByRole('link', { name: 'bob', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: pump, exact: true })).toHaveCount(0);
  await page.getByLabel('User type').selectOption({ label: 'All users' });
  await page.getByLabel('Search users').fill(pump);
  await page.getByRole('link', { name: pump, exact: true }).click();
  await hydrated(page);
  await expect(page.getByRole('checkbox', { name: 'devices', exact: true })).toBeChecked();
});

test('a template without device users offers neither Device user nor User type', async ({ page }) => {
  await signedIn(page, { tenant: 'globex' });
  await page.goto('/users');
  await hydrated(page);
  await expect(page.getByRole('link', { name: 'bob', exact: true })).toBeVisible();
  await expect(page.getByLabel('User type')).toBeHidden();
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByLabel('Username')).toBeVisible();
  await expect(page.getByLabel('Device user')).toHaveCount(0);
});
