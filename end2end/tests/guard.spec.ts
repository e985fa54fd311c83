import { Browser, expect, Page, test } from '@playwright/test';
import { addUser, hydrated, signedIn, signOut, uniqueUsername } from './fixtures/act';
import { editor, openRole } from './fixtures/roles';

// Each test makes the people it needs (unique names), so it does not depend on other specs.

/** act: the `Global roles of <username>` popover on the users list: tick `role`, `Apply`. */
async function giveRole(page: Page, username: string, role: string) {
  await page.goto('/users');
  await hydrated(page);
  await page.getByLabel('Search users').fill(username);
  await page.getByRole('button', { name: `Global roles of ${username}` }).click();
  const popover = page.getByRole('dialog', { name: `Global roles of ${username}` });
  await popover.getByRole('checkbox', { name: role, exact: true }).check();
  await popover.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('button', { name: `Global roles of ${username}` })).toContainText(role);
}

async function newSignedInPage(browser: Browser, tenant: string, username: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signedIn(page, { tenant, username });
  return page;
}

test('a Global User Manager can neither change nor empty admins: cells are disabled and a forced save is refused', async ({ page, browser }) => {
  const manager = uniqueUsername('gum');
  await signedIn(page);
  await addUser(page, manager);
  await giveRole(page, manager, 'Global User Manager');

  const gum = await newSignedInPage(browser, 'acme', manager);
  await openRole(gum, 'admins');
  await expect(gum.getByRole('status').filter({ hasText: 'admins is built in' })).toBeVisible();
  await expect(editor.cell(gum, 'Alarms', 'ADMIN')).toBeChecked();
  await expect(editor.cell(gum, 'Alarms', 'ADMIN')).toBeDisabled();
  // SPEC rule 4: the missing permission is the cell's description.
  await expect(editor.cell(gum, 'Alarms', 'ADMIN')).toHaveAccessibleDescription('You do not hold Alarms ADMIN, so you can neither grant nor remove it.');
  await expect(editor.cell(gum, 'User management', 'ADMIN')).toBeDisabled();
  await expect(editor.save(gum)).toBeDisabled();

  // Forced, as an attacker would: the server function with every grant removed.
  const refused = await gum.evaluate(async () => {
    const list = await fetch('/api/roles/list', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ query: 'admins', page: 1 }),
    }).then((r) => r.json());
    const admins = (list.rows as Array<{ id: number; name: string }>).find((r) => r.name === 'admins')!;
    const role = await fetch('/api/roles/editor', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ id: admins.id }),
    }).then((r) => r.json());
    const response = await fetch('/api/roles/save', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({
        input: { id: admins.id, name: 'admins', description: role.role.description, grants: {}, applications: [], version: role.role.version },
      }),
    });
    return { status: response.status, text: await response.text() };
  });
  expect(refused.status).toBe(403);
  expect(refused.text).toContain('changing the built-in role admins needs every permission it grants');

  // Nothing changed: the admin still sees every cell of admins ticked.
  await openRole(page, 'admins');
  await expect(editor.cell(page, 'Alarms', 'ADMIN')).toBeChecked();
  await expect(editor.cell(page, 'User management', 'ADMIN')).toBeChecked();
  await gum.context().close();
});

test('Remove roles of the tenant-admin role from every holder is refused and nothing changes', async ({ page }) => {
  // initech: `admin` is the only holder of Project Admin, and no other spec gives it out.
  await signedIn(page, { tenant: 'initech' });
  await page.goto('/users');
  await hydrated(page);
  await page.getByLabel('Search users').fill('admin');
  await page.getByRole('checkbox', { name: 'Select admin', exact: true }).check();
  await page.getByRole('button', { name: 'Remove roles', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove roles' });
  await dialog.getByRole('checkbox', { name: 'Project Admin', exact: true }).check();
  // The guard judges the removal before the click: the refusal is shown and the button stays disabled.
  await expect(dialog.getByRole('alert')).toContainText('At least one active user must keep Project Admin tenant-wide');
  await expect(dialog.getByRole('button', { name: 'Remove roles', exact: true })).toBeDisabled();
  await page.goto('/users');
  await hydrated(page);
  await page.getByLabel('Search users').fill('admin');
  await expect(page.getByRole('button', { name: 'Global roles of admin', exact: true })).toContainText('Project Admin');
});

test('Disable user and Delete user on the last tenant admin are refused before the click, even for someone holding every permission', async ({ page, browser }) => {
  const root = uniqueUsername('root');
  await signedIn(page, { tenant: 'initech' });
  // A copy of Project Admin carries every permission but is not the tenant-admin role.
  await openRole(page, 'Project Admin');
  await page.getByRole('button', { name: 'Duplicate' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Copy of Project Admin');
  const copy = (await page.getByRole('heading', { level: 1 }).textContent())!.trim();
  await addUser(page, root);
  await giveRole(page, root, copy);

  const other = await newSignedInPage(browser, 'initech', root);
  await other.goto('/users');
  await hydrated(other);
  await other.getByLabel('Search users').fill('admin');
  await other.getByRole('link', { name: 'admin', exact: true }).click();
  await hydrated(other);
  const reason = 'At least one active user must keep Project Admin tenant-wide: this change would leave none.';
  await expect(other.getByRole('button', { name: 'Disable user' })).toBeDisabled();
  await expect(other.getByRole('button', { name: 'Disable user' })).toHaveAccessibleDescription(reason);
  await expect(other.getByRole('button', { name: 'Delete user' })).toBeDisabled();
  // Editing the details is still allowed.
  await expect(other.getByRole('button', { name: 'Save details' })).toBeEnabled();
  await other.context().close();
});

test('two admins saving the same user\'s roles: the second is told it changed by someone else', async ({ page, browser }) => {
  const target = uniqueUsername('target');
  await signedIn(page);
  await addUser(page, target);
  await page.getByLabel('Search users').fill(target);
  await page.getByRole('link', { name: target, exact: true }).click();
  await hydrated(page);
  const second = await newSignedInPage(browser, 'acme', 'admin');
  await second.goto(page.url());
  await hydrated(second);

  await page.getByRole('checkbox', { name: 'Global Reader', exact: true }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await second.getByRole('checkbox', { name: 'Cockpit User', exact: true }).check();
  await second.getByRole('button', { name: 'Save', exact: true }).click();
  const stale = second.getByRole('alert').filter({ hasText: 'changed by someone else' });
  await expect(stale).toBeVisible();
  // A full reload: wait for the new document before its marker (the old one has it too).
  await Promise.all([second.waitForEvent('load'), stale.getByRole('button', { name: 'Reload' }).click()]);
  await hydrated(second);
  await expect(second.getByRole('checkbox', { name: 'Global Reader', exact: true })).toBeChecked();
  await expect(second.getByRole('checkbox', { name: 'Cockpit User', exact: true })).not.toBeChecked();
  await second.context().close();
  await signOut(page);
});
