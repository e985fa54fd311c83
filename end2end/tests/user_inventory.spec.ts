import { expect, Page, test } from '@playwright/test';
import { addUser, hydrated, signedIn, uniqueUsername, usersMatching } from './fixtures/act';

/** Opens a user's page on its Inventory roles tab. */
async function inventoryTab(page: Page, username: string) {
  await usersMatching(page, username);
  await page.getByRole('link', { name: username, exact: true }).click();
  await hydrated(page);
  await page.getByRole('tab', { name: 'Inventory roles' }).click();
  await expect(page.getByRole('tabpanel', { name: 'Inventory roles' })).toBeVisible();
}

async function assign(page: Page, group: string, role: string) {
  await page.getByRole('button', { name: `Assign inventory roles on ${group}` }).click();
  const picker = page.getByRole('group', { name: `Inventory roles on ${group}` });
  await picker.getByRole('checkbox', { name: role, exact: true }).check();
  await picker.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Inventory roles on ${group} applied.` })).toBeVisible();
}

test('a role on a parent group is inherited by its subgroup and Check access explains it', async ({ page }) => {
  await signedIn(page);
  const bob = uniqueUsername('inv-bob');
  await addUser(page, bob);
  await inventoryTab(page, bob);
  await assign(page, 'Region North', 'Reader');
  await expect(page.getByLabel('Roles on Region North', { exact: true })).toHaveText('Reader');
  await page.getByRole('button', { name: 'Expand or collapse Region North' }).click();
  await expect(page.getByLabel('Inherited on Plant 1')).toHaveText('Inherited: Reader (from Region North)');
  await expect(page.getByLabel('Roles on Plant 1', { exact: true })).toHaveText('');

  await page.getByRole('button', { name: 'Expand or collapse Plant 1' }).click();
  await page.getByRole('button', { name: 'Check access on pump-17' }).click();
  const panel = page.getByRole('region', { name: 'Check access on pump-17' });
  await expect(panel.getByText(`${bob} on Region North / Plant 1 / pump-17 (type *)`)).toBeVisible();
  const read = panel.getByRole('row', { name: 'Alarms Read' });
  await expect(read).toContainText('Allowed');
  await expect(read).toContainText('Inventory role Reader inherited from Region North: Full access * Read');
  const change = panel.getByRole('row', { name: 'Alarms Change' });
  await expect(change).toContainText('Denied');
  await expect(change).toContainText('An inventory role with Alarms Change');
  // Region South is outside the branch: the inventory role gives nothing there, and this new
  // user holds no global role that would.
  await page.getByRole('button', { name: 'Check access on Region South' }).click();
  const south = page.getByRole('region', { name: 'Check access on Region South' });
  await expect(south.getByText(`${bob} on Region South (type *)`)).toBeVisible();
  await expect(south.getByRole('row', { name: 'Alarms Read' })).toContainText('Denied');
  await expect(south.getByRole('row', { name: 'Alarms Read' })).not.toContainText('Inventory role Reader');
});

test('copy inventory roles from another user with Merge, then with Replace', async ({ page }) => {
  await signedIn(page);
  const [alice, carol] = [uniqueUsername('inv-alice'), uniqueUsername('inv-carol')];
  await addUser(page, alice);
  await addUser(page, carol);
  await inventoryTab(page, alice);
  await assign(page, 'Region South', 'Operations: All');

  await inventoryTab(page, carol);
  await page.getByRole('button', { name: 'Expand or collapse Region North' }).click();
  await assign(page, 'Plant 1', 'Operations: Restart Device');

  await page.getByRole('button', { name: 'Copy inventory roles from another user' }).click();
  let dialog = page.getByRole('dialog', { name: 'Copy inventory roles from another user' });
  await expect(dialog.getByRole('radio', { name: 'Merge' })).toBeChecked();
  await dialog.getByLabel('Search users').fill(alice);
  await dialog.getByRole('radio', { name: alice, exact: true }).check();
  await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(dialog.getByRole('status')).toContainText('Copied: Operations: All on Region South.');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByLabel('Roles on Region South', { exact: true })).toHaveText('Operations: All');
  await expect(page.getByLabel('Roles on Plant 1', { exact: true })).toHaveText('Operations: Restart Device');

  await page.getByRole('button', { name: 'Copy inventory roles from another user' }).click();
  dialog = page.getByRole('dialog', { name: 'Copy inventory roles from another user' });
  await dialog.getByRole('radio', { name: 'Replace' }).check();
  await dialog.getByLabel('Search users').fill(alice);
  await dialog.getByRole('radio', { name: alice, exact: true }).check();
  await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(dialog.getByRole('status')).toContainText('Removed: Operations: Restart Device on Plant 1.');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByLabel('Roles on Plant 1', { exact: true })).toHaveText('');
  await expect(page.getByLabel('Roles on Region South', { exact: true })).toHaveText('Operations: All');
});

test('the tab says which global role already grants inventory permissions everywhere', async ({ page }) => {
  await signedIn(page);
  await inventoryTab(page, 'admin');
  const note = page.getByRole('note', { name: 'Global roles grant inventory permissions' });
  await expect(note).toContainText('Global roles already grant inventory permissions on every device.');
  await expect(note).toContainText('admins (Alarms ADMIN');
});
