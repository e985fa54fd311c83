import { expect, test } from '@playwright/test';
import { addUser, DEMO, hydrated, signedIn, uniqueUsername } from './fixtures/act';

// SPEC rule 8: a holder of User management CREATE alone (`Shared User Manager`) lists, searches,
// edits, disables and gives roles to her own sub-users only, each role one she holds.

const role = (page: import('@playwright/test').Page, name: string) =>
  page.getByRole('checkbox', { name, exact: true });

test('a Shared User Manager creates sub.zoe, gives her a role she holds, and never sees bob', async ({ page, browser }) => {
  await signedIn(page);
  const manager = uniqueUsername('manager');
  await addUser(page, manager);
  await page.getByLabel('Search users').fill(manager);
  await page.getByRole('link', { name: manager, exact: true }).click();
  await hydrated(page);
  await role(page, 'Shared User Manager').check();
  await role(page, 'Global Reader').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  const context = await browser.newContext();
  const hers = await context.newPage();
  await signedIn(hers, { username: manager });
  await hers.goto('/users');
  await hydrated(hers);
  await expect(hers.getByRole('status').filter({ hasText: 'No user matches the search.' })).toBeVisible();
  const zoe = uniqueUsername('sub.zoe');
  await hers.getByRole('button', { name: 'Add user' }).click();
  await hers.getByLabel('Username').fill(zoe);
  await hers.getByLabel('Password').fill(DEMO.password);
  await hers.getByRole('button', { name: 'Create user' }).click();
  await hers.getByRole('status').filter({ hasText: 'User created.' }).waitFor();
  await expect(hers.getByRole('link', { name: zoe, exact: true })).toBeVisible();
  // bob is a user of the tenant, not hers: neither listed nor found.
  await expect(hers.getByRole('link', { name: 'bob', exact: true })).toHaveCount(0);
  await hers.getByLabel('Search users').fill('bob');
  await expect(hers.getByRole('status').filter({ hasText: 'No user matches the search.' })).toBeVisible();
  await hers.getByLabel('Search users').fill('sub.zoe');
  await hers.getByRole('link', { name: zoe, exact: true }).click();
  await hydrated(hers);

  // Roles she holds are offered; one she lacks is disabled, and the wizard is not hers.
  await expect(role(hers, 'CEP Manager')).toBeDisabled();
  // SPEC rule 4: the reason is the checkbox's description, not only a tooltip.
  await expect(role(hers, 'CEP Manager')).toHaveAccessibleDescription(/you give your sub-users only roles you hold/);
  await expect(hers.getByRole('button', { name: 'Assign roles' })).toBeDisabled();
  // Inventory roles need the view permission tenant-wide, which she does not have: no tab.
  await expect(hers.getByRole('tab', { name: 'Inventory roles' })).toHaveCount(0);
  // Forced, as an attacker would: the disabled checkbox enabled in the page and ticked.
  await role(hers, 'CEP Manager').evaluate((box: HTMLInputElement) => { box.disabled = false; });
  await role(hers, 'CEP Manager').check();
  await hers.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(hers.getByRole('alert')).toContainText('the role CEP Manager (you give your sub-users only roles you hold)');
  await hers.reload();
  await hydrated(hers);
  await expect(role(hers, 'CEP Manager')).not.toBeChecked();
  await role(hers, 'Global Reader').check();
  await hers.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(hers.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await hers.reload();
  await hydrated(hers);
  await expect(role(hers, 'Global Reader')).toBeChecked();
  await expect(role(hers, 'CEP Manager')).not.toBeChecked();

  // She disables her sub-user.
  await hers.getByRole('button', { name: 'Disable user' }).click();
  await expect(hers.getByRole('button', { name: 'Enable user' })).toBeVisible();
  await context.close();

  // The tenant admin sees what happened: zoe holds Global Reader and is the manager's sub-user.
  await page.goto('/users');
  await hydrated(page);
  await page.getByLabel('Search users').fill(zoe);
  await page.getByRole('link', { name: zoe, exact: true }).click();
  await hydrated(page);
  await expect(page.getByRole('definition').filter({ hasText: manager })).toBeVisible();
  await expect(role(page, 'Global Reader')).toBeChecked();
});
