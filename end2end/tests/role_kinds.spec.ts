import { expect, Page, test } from '@playwright/test';
import { addUser, hydrated, signedIn, uniqueUsername } from './fixtures/act';
import { editor, openRole, unique } from './fixtures/roles';
import { selectOnList, wizard } from './fixtures/wizard';

/** The editor's `Requires`: a group of role checkboxes with its own `Search roles`. */
const requires = (page: Page) => page.getByRole('group', { name: 'Requires' });

async function newRole(page: Page, name: string) {
  await page.goto('/roles/global/new');
  await hydrated(page);
  await editor.name(page).fill(name);
  await editor.cell(page, 'Devices', 'View').check();
}

async function requireRole(page: Page, role: string) {
  await requires(page).getByRole('searchbox', { name: 'Search roles' }).fill(role);
  await requires(page).getByRole('checkbox', { name: role, exact: true }).check();
}

test('mdm: a Space-Specific role that requires Device Read Only, appended in EMEA, brings both', async ({ page }) => {
  await signedIn(page, { tenant: 'globex' });
  const name = unique('Field desk');
  await newRole(page, name);
  await page.getByLabel('Scope', { exact: true }).selectOption('Space-Specific');
  await requireRole(page, 'Device Read Only');
  await expect(requires(page)).toContainText('Requires (1): Device Read Only');
  await editor.save(page).click();
  await expect(page).toHaveURL(/\/roles\/global\/\d+$/);
  // What was saved is what a fresh read shows.
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('Scope', { exact: true })).toHaveValue('space-bound');
  await expect(requires(page)).toContainText('Requires (1): Device Read Only');

  const username = uniqueUsername('desk');
  await addUser(page, username);
  await selectOnList(page, '/users', [username], username);
  await page.getByRole('button', { name: 'Append roles' }).click();
  await wizard.dialog(page).getByRole('searchbox', { name: 'Search roles' }).fill(name);
  await wizard.role(page, name).check();
  await expect(wizard.dialog(page).getByRole('status')).toHaveText(`Device Read Only was added: ${name} requires it.`);
  await wizard.button(page, 'Next').click();
  await wizard.space(page, name, 'EMEA').check();
  await wizard.space(page, 'Device Read Only', 'EMEA').check();
  await wizard.button(page, 'Next').click();
  const summary = page.getByRole('region', { name: username });
  await expect(summary).toContainText(`${name} (EMEA)`);
  await expect(summary).toContainText('Device Read Only (EMEA)');
  await wizard.button(page, 'Done').click();
  await expect(page.getByRole('status').filter({ hasText: 'Roles applied.' })).toBeVisible();
});

test('mdm: a requirement that would make a cycle is refused and nothing is saved', async ({ page }) => {
  await signedIn(page, { tenant: 'globex' });
  const [first, second] = [unique('Desk A'), unique('Desk B')];
  await newRole(page, first);
  await editor.save(page).click();
  await expect(page).toHaveURL(/\/roles\/global\/\d+$/);
  await newRole(page, second);
  await requireRole(page, first);
  await editor.save(page).click();
  await expect(page).toHaveURL(/\/roles\/global\/\d+$/);
  // first requires second, which requires first: refused.
  await openRole(page, first);
  await requireRole(page, second);
  await editor.save(page).click();
  await expect(page.getByRole('alert').filter({ hasText: 'would require itself through the roles it requires.' })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(requires(page)).toContainText('Requires no other role.');
});

test('iot: the role editor offers no Scope, Role type or Requires', async ({ page }) => {
  await signedIn(page);
  await page.goto('/roles/global/new');
  await hydrated(page);
  await expect(editor.name(page)).toBeVisible();
  await expect(page.getByLabel('Scope', { exact: true })).toHaveCount(0);
  await expect(page.getByLabel('Role type', { exact: true })).toHaveCount(0);
  await expect(requires(page)).toHaveCount(0);
});

test('analytics: an Admin-type custom role is saved as one', async ({ page }) => {
  await signedIn(page, { tenant: 'umbrella' });
  const name = unique('Report admin');
  await page.goto('/roles/global/new');
  await hydrated(page);
  await editor.name(page).fill(name);
  await page.getByLabel('Role type', { exact: true }).selectOption('Admin');
  await editor.save(page).click();
  await expect(page).toHaveURL(/\/roles\/global\/\d+$/);
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('Role type', { exact: true })).toHaveValue('admin');
});

test('analytics: only the built-in Tenant Admin role grants Manage users and roles', async ({ page }) => {
  await signedIn(page, { tenant: 'umbrella' });
  await page.goto('/roles/global/new');
  await hydrated(page);
  const assign = editor.cell(page, 'Manage users and roles', 'Allowed');
  await expect(assign).toBeDisabled();
  // Select all ticks everything a custom role may have, and not that.
  await editor.selectAll(page, 'Allowed').click();
  await expect(editor.cell(page, 'Users section', 'Allowed')).toBeChecked();
  await expect(assign).not.toBeChecked();
  // The built-in role has it, and keeps it.
  await openRole(page, 'Tenant Admin');
  await expect(editor.cell(page, 'Manage users and roles', 'Allowed')).toBeChecked();
});
