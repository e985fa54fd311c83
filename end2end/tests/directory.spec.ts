import { expect, test } from '@playwright/test';
import { hydrated, signedIn } from './fixtures/act';
import { unique } from './fixtures/roles';

test.beforeEach(async ({ page }) => {
  await signedIn(page, { tenant: 'umbrella' });
  await expect(page.getByRole('banner')).toContainText('Umbrella Analytics');
});

test('spaces: create, rename, delete after a confirmation; Default Space stays', async ({ page }) => {
  await page.getByRole('link', { name: 'Spaces', exact: true }).click();
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Delete Default Space' })).toBeDisabled();
  await page.getByRole('button', { name: 'Add space', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Name is required.' })).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill('Research');
  await page.getByRole('button', { name: 'Add space', exact: true }).click();
  await expect(page.getByRole('rowheader', { name: 'Research' })).toBeVisible();
  await page.getByRole('button', { name: 'Rename Research' }).click();
  await page.getByLabel('Name of Research').fill('Research Lab');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('rowheader', { name: 'Research Lab' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete Research Lab' }).click();
  const confirm = page.getByRole('alertdialog');
  await expect(confirm).toContainText('Delete space Research Lab?');
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await page.getByRole('button', { name: 'Delete Research Lab' }).click();
  await page.getByRole('button', { name: 'Delete space' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Space deleted.' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'Research Lab' })).toHaveCount(0);
});

test('users: a bad email is refused next to the field, nothing typed is lost, then the user is created', async ({ page }) => {
  const username = unique('new.user').replace(' ', '-');
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Add user' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByText('Enter an email address like name@example.com.')).toBeVisible();
  await expect(page.getByLabel('Username')).toHaveValue(username);
  await page.getByLabel('Email').fill('new.user@example.com');
  await page.getByLabel('Allocation').selectOption('Analyzer');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'User created.' })).toBeVisible();
  await page.getByLabel('Search users').fill(username);
  await page.getByRole('link', { name: username, exact: true }).click();
  await expect(page.getByLabel('Allocation')).toHaveValue('Analyzer');
  await page.getByRole('button', { name: 'Disable user' }).click();
  await expect(page.getByText('disabled', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Delete user' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete user' }).click();
  await expect(page).toHaveURL(/\/users$/);
});

test('groups: create, add a member, give it a role, delete after a confirmation', async ({ page }) => {
  const name = unique('Analysts');
  await page.getByRole('link', { name: 'User groups', exact: true }).click();
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Add group' }).click();
  await page.getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await page.getByLabel('Username').fill('nobody');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('alert')).toHaveText('No user has this username.');
  await page.getByLabel('Username').fill('bob');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('link', { name: 'bob', exact: true })).toBeVisible();
  await page.getByRole('checkbox', { name: 'Developer', exact: true }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByRole('alertdialog')).toContainText('1 members will lose the roles of this group.');
  await page.getByRole('button', { name: 'Delete group' }).click();
  await expect(page).toHaveURL(/\/groups$/);
  await expect(page.getByRole('link', { name, exact: true })).toHaveCount(0);
});

test('SPEC rule 4: a locked user\'s roles never change through a group; each refusal names the user and nothing changes', async ({ page }) => {
  const PARTNER_MESSAGE = 'A Partner Administrator must perform this operation on the Service Provider Portal.';
  const makeGroup = async (name: string) => {
    await page.goto('/groups');
    await hydrated(page);
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Add group' }).click();
    await page.getByRole('link', { name, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
    await hydrated(page);
  };
  const addMember = async (username: string) => {
    await page.getByLabel('Username').fill(username);
    await page.getByRole('button', { name: 'Add member' }).click();
  };
  const member = (username: string) => page.getByRole('link', { name: username, exact: true });
  const developer = () => page.getByRole('checkbox', { name: 'Developer', exact: true });

  // A group with a role: neither the partner administrator nor the SSO user may join it.
  await makeGroup(unique('Builders'));
  await addMember('bob');
  await expect(member('bob')).toBeVisible();
  await developer().check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await addMember('partner.erin');
  await expect(page.getByRole('alert')).toContainText(PARTNER_MESSAGE);
  await expect(page.getByRole('alert')).toContainText('partner.erin');
  await addMember('sso.dave');
  await expect(page.getByRole('alert')).toContainText('Roles managed by SSO');
  await expect(page.getByRole('alert')).toContainText('sso.dave');
  await page.reload();
  await hydrated(page);
  await expect(member('bob')).toBeVisible();
  await expect(member('partner.erin')).toHaveCount(0);
  await expect(member('sso.dave')).toHaveCount(0);

  // A group without roles takes her; giving it a role then is refused, naming her.
  await makeGroup(unique('Lounge'));
  await addMember('partner.erin');
  await expect(member('partner.erin')).toBeVisible();
  await developer().check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText(PARTNER_MESSAGE);
  await expect(page.getByRole('alert')).toContainText('partner.erin');
  await page.reload();
  await hydrated(page);
  await expect(developer()).not.toBeChecked();
  await expect(member('partner.erin')).toBeVisible();
});

test('analytics: Edit roles has User and Admin tabs; allocation and a space-creator role decide Add new', async ({ page, browser }) => {
  await page.goto('/users');
  await hydrated(page);
  await page.getByRole('link', { name: 'carol', exact: true }).click();
  await page.getByLabel('Allocation').selectOption('Analyzer');
  await page.getByRole('button', { name: 'Save details' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByText('Hidden — Analyzer users only consume content')).toBeVisible();

  await page.getByRole('button', { name: 'Edit roles' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit roles' });
  await expect(dialog.getByRole('tab', { name: 'User' })).toHaveAttribute('aria-selected', 'true');
  await expect(dialog.getByRole('checkbox', { name: 'Shared Space Creator', exact: true })).toBeVisible();
  await expect(dialog.getByRole('checkbox', { name: 'Tenant Admin', exact: true })).toHaveCount(0);
  await dialog.getByRole('tab', { name: 'Admin' }).click();
  await expect(dialog.getByRole('checkbox', { name: 'Tenant Admin', exact: true })).toBeVisible();
  await expect(dialog.getByRole('checkbox', { name: 'Developer', exact: true })).toHaveCount(0);
  await dialog.getByRole('tab', { name: 'User' }).click();
  await dialog.getByRole('checkbox', { name: 'Shared Space Creator', exact: true }).check();
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Shown — An Analyzer, but a role grants creating.')).toBeVisible();

  // carol herself now sees Add new, and what it offers.
  const other = await browser.newContext();
  const carol = await other.newPage();
  await signedIn(carol, { tenant: 'umbrella', username: 'carol' });
  await carol.getByRole('button', { name: 'Add new' }).click();
  await expect(carol.getByRole('menuitem', { name: 'Create shared spaces' })).toBeVisible();
  await other.close();
  // bob is Professional: he sees Add new without any role.
  const third = await browser.newContext();
  const bob = await third.newPage();
  await signedIn(bob, { tenant: 'umbrella', username: 'bob' });
  await expect(bob.getByRole('button', { name: 'Add new' })).toBeVisible();
  await third.close();
});
