import { expect, test } from '@playwright/test';
import { addUser, hydrated, signIn, uniqueUsername, usersMatching } from './fixtures/act';
import { onHomePage } from './fixtures/check';
import { createRole, editor, expectIndeterminate, openRole, unique } from './fixtures/roles';

test.beforeEach(async ({ page }) => {
  await signIn(page);
  await onHomePage(page);
});

test('create a role with Select all READ plus Alarms ADMIN; after a reload the grid shows it', async ({ page }) => {
  const name = unique('Alarm readers');
  await page.getByRole('link', { name: 'Roles', exact: true }).click();
  await expect(page.getByRole('tab', { name: 'Global roles' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('link', { name: 'Add global role' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New global role');
  await editor.name(page).fill(name);
  await editor.description(page).fill('Reads everything, runs alarms.');
  await editor.selectAll(page, 'READ').check();
  await expect(editor.cell(page, 'Inventory', 'READ')).toBeChecked();
  await expect(editor.cell(page, 'User management', 'READ')).toBeChecked();
  await editor.cell(page, 'Alarms', 'ADMIN').check();
  // ADMIN shows the levels it implies as granted.
  await expect(editor.cell(page, 'Alarms', 'UPDATE')).toBeChecked();
  await expectIndeterminate(page, 'ADMIN', true);
  await editor.save(page).click();
  await expect(page).toHaveURL(/\/roles\/global\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);

  await page.reload();
  await hydrated(page);
  await expect(editor.name(page)).toHaveValue(name);
  await expect(editor.selectAll(page, 'READ')).toBeChecked();
  await expect(editor.cell(page, 'Alarms', 'ADMIN')).toBeChecked();
  await expect(editor.cell(page, 'Alarms', 'CREATE')).toBeChecked();
  await expect(editor.cell(page, 'Inventory', 'ADMIN')).not.toBeChecked();
  await expect(editor.cell(page, 'Inventory', 'CREATE')).not.toBeChecked();
  await expectIndeterminate(page, 'ADMIN', true);

  await page.getByRole('link', { name: 'Roles', exact: true }).first().click();
  await page.getByLabel('Search roles', { exact: true }).fill(name);
  await expect(page.getByRole('heading', { name, exact: true })).toBeVisible();
});

test('an empty or duplicate name is refused next to the field and nothing is saved', async ({ page }) => {
  await page.goto('/roles/global/new');
  await hydrated(page);
  await editor.save(page).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Name is required.' })).toBeVisible();
  await editor.name(page).fill('Global Reader');
  await editor.save(page).click();
  await expect(page.getByRole('alert').filter({ hasText: 'A role with this name already exists.' })).toBeVisible();
  await expect(page).toHaveURL(/\/roles\/global\/new$/);
});

test('assign a role from the users list popover', async ({ page }) => {
  const username = uniqueUsername('popover');
  await addUser(page, username);
  await usersMatching(page, username);
  const cell = page.getByRole('button', { name: `Global roles of ${username}` });
  await expect(cell).toHaveText('No roles');
  await cell.click();
  const popover = page.getByRole('dialog', { name: `Global roles of ${username}` });
  await popover.getByRole('checkbox', { name: 'Global Reader', exact: true }).check();
  await popover.getByRole('button', { name: 'Apply' }).click();
  await expect(popover).toBeHidden();
  await expect(cell).toHaveText('Global Reader');
  await usersMatching(page, username);
  await expect(page.getByRole('button', { name: `Global roles of ${username}` })).toHaveText('Global Reader');
});

test('assign on the user page; the effective grid says which role grants each cell', async ({ page }) => {
  const username = uniqueUsername('grid');
  await addUser(page, username);
  await usersMatching(page, username);
  await page.getByRole('link', { name: username, exact: true }).click();
  await expect(page.getByRole('tab', { name: 'Global roles' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'CEP management ADMIN: not granted' })).toBeVisible();
  await page.getByRole('checkbox', { name: 'CEP Manager', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Global Reader', exact: true }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'CEP management ADMIN: granted by CEP Manager' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'CEP management READ: granted by CEP Manager' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Alarms READ: granted by Global Reader' })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('checkbox', { name: 'CEP Manager', exact: true })).toBeChecked();
});

test('two admins edit one role: the second save is refused as changed by someone else', async ({ page, browser }) => {
  const name = unique('Shared role');
  const url = await createRole(page, name);

  const other = await browser.newContext();
  const second = await other.newPage();
  await signIn(second);
  await onHomePage(second);
  await second.goto(url);
  await hydrated(second);
  await expect(editor.name(second)).toHaveValue(name);

  await editor.description(page).fill('First admin wins.');
  await editor.save(page).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await editor.cell(second, 'Alarms', 'READ').check();
  await editor.save(second).click();
  const alert = second.getByRole('alert').filter({ hasText: 'changed by someone else' });
  await expect(alert).toBeVisible();
  // A full reload: wait for the new document before its marker (the old one has it too).
  await Promise.all([second.waitForEvent('load'), alert.getByRole('button', { name: 'Reload' }).click()]);
  await hydrated(second);
  await expect(editor.description(second)).toHaveValue('First admin wins.');
  await expect(editor.cell(second, 'Alarms', 'READ')).not.toBeChecked();
  await other.close();
});

test('deleting a role names how many users hold it; after the confirmation its holder has lost it', async ({ page }) => {
  const name = unique('Held role');
  const role = await createRole(page, name);

  const username = uniqueUsername('holder');
  await addUser(page, username);
  await usersMatching(page, username);
  await page.getByRole('button', { name: `Global roles of ${username}` }).click();
  const popover = page.getByRole('dialog', { name: `Global roles of ${username}` });
  // acme has fewer roles than a page: the popover lists them all, without a search.
  await popover.getByRole('checkbox', { name, exact: true }).check();
  await popover.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('button', { name: `Global roles of ${username}` })).toHaveText(name);

  await page.goto(role);
  await hydrated(page);
  // A save changes nobody's roles: the count read with the editor still stands after one.
  await editor.description(page).fill('Still held.');
  await editor.save(page).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const confirm = page.getByRole('alertdialog');
  await expect(confirm).toContainText('1 users and 0 groups will lose this role.');
  await confirm.getByRole('button', { name: 'Delete role' }).click();
  await expect(page).toHaveURL(/\/roles$/);
  await usersMatching(page, username);
  await expect(page.getByRole('button', { name: `Global roles of ${username}` })).toHaveText('No roles');
});
