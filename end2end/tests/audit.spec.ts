import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { addUser, hydrated, signedIn, uniqueUsername } from './fixtures/act';
import { find } from './fixtures/find';
import { openUser } from './fixtures/wizard';

const PARTNER_MESSAGE = 'A Partner Administrator must perform this operation on the Service Provider Portal.';

test('a refused change to a partner administrator is listed in Access denied requests with why', async ({ page }) => {
  await signedIn(page);
  await openUser(page, 'partner.erin');
  await page.getByRole('checkbox', { name: 'Global Reader', exact: true }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(find.alert(page)).toHaveText(PARTNER_MESSAGE);

  await find.userMenu(page).click();
  await page.getByRole('link', { name: 'Access denied requests' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Access denied requests');
  await hydrated(page);
  await page.getByLabel('User', { exact: true }).fill('admin');
  await page.getByRole('button', { name: 'Filter' }).click();
  const table = page.getByRole('table');
  for (const column of ['When', 'User', 'Attempted', 'Missing permission']) {
    await expect(table.getByRole('columnheader', { name: column })).toBeVisible();
  }
  const newest = table.getByRole('row').nth(1);
  await expect(newest.getByRole('cell').nth(1)).toHaveText('admin');
  await expect(newest.getByRole('cell').nth(2)).toContainText('users/set_roles');
  await expect(newest.getByRole('cell').nth(3)).toContainText(PARTNER_MESSAGE);
});

test('the audit log filters to one role change, shows it before and after, and exports the filtered rows', async ({ page }) => {
  await signedIn(page);
  const user = uniqueUsername('audited');
  await addUser(page, user);
  await openUser(page, user);
  await hydrated(page);
  await page.getByRole('checkbox', { name: 'Global Reader', exact: true }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  await page.getByLabel('Actor', { exact: true }).fill('admin');
  await page.getByLabel('Action', { exact: true }).selectOption('user.roles.set');
  await page.getByLabel('Target', { exact: true }).fill(`user ${user}`);
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel('From', { exact: true }).fill(today);
  await page.getByLabel('To', { exact: true }).fill(today);
  await page.getByRole('button', { name: 'Filter' }).click();
  const events = page.getByRole('table').first();
  await expect(events.getByRole('row')).toHaveCount(2); // the header and the one event (its changes are hidden)
  await expect(events.getByRole('cell', { name: `user ${user}`, exact: true })).toBeVisible();

  await events.getByRole('button', { name: 'Show changes' }).click();
  const diff = page.getByRole('table', { name: `Changes of user.roles.set on user ${user}` });
  await expect(diff).toBeVisible();
  await expect(diff.getByRole('columnheader', { name: 'Before' })).toBeVisible();
  await expect(diff.getByRole('row').filter({ hasText: 'removed: roles: (none)' })).toHaveCount(1);
  await expect(diff.getByRole('row').filter({ hasText: 'added: roles: Global Reader' })).toHaveCount(1);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toBe('id,when,actor,action,target,address,before,after');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(`,admin,user.roles.set,user ${user},`);
});
