import { expect, Page, test } from '@playwright/test';
import { addUser, DEMO, hydrated, signedIn, uniqueUsername } from './fixtures/act';
import { editor, openRole, unique } from './fixtures/roles';

// migration (seed 002): each module's access is one choice of Deny Access, Read Only or
// Read/Write; the seed's prerequisites are explained and enforced.

const access = (page: Page, module: string) => page.getByRole('radiogroup', { name: `${module} access` });

test('initech: a module set to Deny Access refuses a user of that role there', async ({ page, browser }) => {
  await signedIn(page, { tenant: 'initech' });
  const name = unique('Account readers');
  await page.goto('/roles/global/new');
  await hydrated(page);
  await editor.name(page).fill(name);
  await expect(access(page, 'User Account Roles').getByRole('radio', { name: 'Deny Access' })).toBeChecked();
  await access(page, 'User Account Roles').getByRole('radio', { name: 'Read Only' }).check();
  await editor.save(page).click();
  await expect(page).toHaveURL(/\/roles\/global\/\d+$/);
  await page.reload();
  await hydrated(page);
  await expect(access(page, 'User Account Roles').getByRole('radio', { name: 'Read Only' })).toBeChecked();

  const username = uniqueUsername('reader');
  await addUser(page, username);
  await page.getByLabel('Search users').fill(username);
  await page.getByRole('link', { name: username, exact: true }).click();
  await hydrated(page);
  await page.getByRole('checkbox', { name, exact: true }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  const theirs = await (await browser.newContext()).newPage();
  await signedIn(theirs, { tenant: 'initech', username, password: DEMO.password });
  await theirs.goto('/users');
  await hydrated(theirs);
  await expect(theirs.getByRole('link', { name: 'bob', exact: true })).toBeVisible();

  await openRole(page, name);
  await access(page, 'User Account Roles').getByRole('radio', { name: 'Deny Access' }).check();
  await editor.save(page).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await theirs.reload();
  await hydrated(theirs);
  await expect(theirs.getByRole('alert').filter({ hasText: 'User Account Roles access Read Only' })).toBeVisible();
  await expect(theirs.getByRole('link', { name: 'bob', exact: true })).toHaveCount(0);
});

test('initech: Manage Contacts needs Manage Tabs, Details, Menu Items; the editor says so and the server refuses', async ({ page }) => {
  await signedIn(page, { tenant: 'initech' });
  const name = unique('Contact editors');
  await page.goto('/roles/global/new');
  await hydrated(page);
  await editor.name(page).fill(name);
  await access(page, 'Project Config').getByRole('radio', { name: 'Read/Write' }).check();
  await page.getByRole('checkbox', { name: 'Project Config: Manage Contacts', exact: true }).check();
  await expect(page.getByText('Needs Module Config: Manage Tabs, Details, Menu Items')).toBeVisible();
  await editor.save(page).click();
  await expect(page.getByRole('alert').filter({ hasText: 'requires Module Config: Manage Tabs, Details, Menu Items' })).toBeVisible();
  await expect(page).toHaveURL(/\/roles\/global\/new$/);
  await page.getByRole('checkbox', { name: 'Module Config: Manage Tabs, Details, Menu Items', exact: true }).check();
  await expect(page.getByText('Needs Module Config: Manage Tabs, Details, Menu Items')).toHaveCount(0);
  await editor.save(page).click();
  await expect(page).toHaveURL(/\/roles\/global\/\d+$/);
});
