import { expect, Page, test } from '@playwright/test';
import { addUser, hydrated, signedIn, uniqueUsername } from './fixtures/act';
import { openUser, selectOnList, wizard } from './fixtures/wizard';

const PARTNER_MESSAGE = 'A Partner Administrator must perform this operation on the Service Provider Portal.';

/** Two new users of the signed-in tenant with a shared tag, so a search shows both. */
async function twoNewUsers(page: Page, prefix: string): Promise<[string, string, string]> {
  const tag = uniqueUsername(prefix);
  const [a, b] = [`${tag}-a`, `${tag}-b`];
  await addUser(page, a);
  await addUser(page, b);
  return [tag, a, b];
}

/** The wizard's Append of Device Read Only in EMEA and Americas and System Read Only. */
async function appendDeviceAndSystemReadOnly(page: Page) {
  await page.getByRole('button', { name: 'Append roles' }).click();
  await wizard.role(page, 'Device Read Only').check();
  await wizard.role(page, 'System Read Only').check();
  await wizard.button(page, 'Next').click();
  await wizard.space(page, 'Device Read Only', 'EMEA').check();
  await wizard.space(page, 'Device Read Only', 'Americas').check();
  await wizard.button(page, 'Next').click();
  await wizard.button(page, 'Done').click();
  await expect(page.getByRole('status').filter({ hasText: 'Roles applied.' })).toBeVisible();
  await wizard.button(page, 'Close').click();
}

test('mdm: Append roles to two users with a Space-Specific role in two spaces', async ({ page }) => {
  await signedIn(page, { tenant: 'globex' });
  await expect(page.getByRole('banner')).toContainText('Globex Corporation');
  const [tag, alice, bob] = await twoNewUsers(page, 'append');
  await selectOnList(page, '/users', [alice, bob], tag);
  await page.getByRole('button', { name: 'Append roles' }).click();
  await expect(wizard.step(page, 'Select roles')).toBeVisible();
  await expect(wizard.role(page, 'System Read Only')).toHaveAccessibleName('System Read Only | Cross-Space');
  await wizard.role(page, 'Device Read Only').check();
  await wizard.role(page, 'System Read Only').check();
  await wizard.button(page, 'Next').click();
  await expect(wizard.step(page, 'Specify spaces')).toBeVisible();
  // Every Space-Specific role needs a space.
  await wizard.button(page, 'Next').click();
  await expect(page.getByRole('alert')).toContainText('Choose at least one space for Device Read Only.');
  await wizard.space(page, 'Device Read Only', 'EMEA').check();
  await wizard.space(page, 'Device Read Only', 'Americas').check();
  await wizard.button(page, 'Next').click();
  await expect(wizard.step(page, 'Summary')).toBeVisible();
  const summary = page.getByRole('region', { name: alice });
  await expect(summary).toContainText('Device Read Only (EMEA)');
  await expect(summary).toContainText('Device Read Only (Americas)');
  // What the guard computed: a space-bound role's permissions are gained in its spaces.
  await expect(summary).toContainText('Devices View (EMEA)');
  await expect(summary).toContainText('System settings View');
  // Back keeps every choice.
  await wizard.button(page, 'Back').click();
  await expect(wizard.space(page, 'Device Read Only', 'EMEA')).toBeChecked();
  await wizard.button(page, 'Back').click();
  await expect(wizard.role(page, 'Device Read Only')).toBeChecked();
  await wizard.button(page, 'Next').click();
  await wizard.button(page, 'Next').click();
  await wizard.button(page, 'Done').click();
  await expect(page.getByRole('status').filter({ hasText: 'Roles applied.' })).toBeVisible();
  await wizard.button(page, 'Close').click();
  await openUser(page, bob);
  await expect(page.getByRole('checkbox', { name: 'Device Read Only', exact: true })).toBeChecked();
  await expect(page.getByRole('cell', { name: /Device Read Only/ }).first()).toBeVisible();
});

test('mdm: Remove roles from several users at once, after the dialog shows what each loses', async ({ page }) => {
  await signedIn(page, { tenant: 'globex' });
  const [tag, alice, bob] = await twoNewUsers(page, 'remove');
  await selectOnList(page, '/users', [alice, bob], tag);
  await appendDeviceAndSystemReadOnly(page);
  await selectOnList(page, '/users', [alice, bob], tag);
  await page.getByRole('button', { name: 'Remove roles' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove roles' });
  await dialog.getByRole('checkbox', { name: 'Device Read Only', exact: true }).check();
  // Before anything is removed, the dialog lists what each user would lose, as the guard computes it.
  const preview = dialog.getByRole('region', { name: 'What changes' });
  await expect(preview.getByRole('region', { name: alice })).toContainText('Device Read Only (EMEA)');
  await expect(preview.getByRole('region', { name: alice })).toContainText('Devices View (Americas)');
  await expect(preview.getByRole('region', { name: bob })).toContainText('Permissions lost');
  await dialog.getByRole('button', { name: 'Remove roles', exact: true }).click();
  await expect(dialog.getByRole('status')).toHaveText('Roles removed from 2 of 2.');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await openUser(page, alice);
  await expect(page.getByRole('checkbox', { name: 'Device Read Only', exact: true })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'System Read Only', exact: true })).toBeChecked();
});

test('mdm helpdesk example: Device Actions brings Device Read Only; one space skips the spaces step', async ({ page }) => {
  await signedIn(page, { tenant: 'hooli' });
  await selectOnList(page, '/groups', ['Helpdesk']);
  await page.getByRole('button', { name: 'Append roles' }).click();
  await wizard.role(page, 'Device Actions').check();
  await expect(page.getByRole('dialog').getByRole('status')).toHaveText('Device Read Only was added: Device Actions requires it.');
  await expect(wizard.role(page, 'Device Read Only')).toBeChecked();
  await wizard.button(page, 'Next').click();
  await expect(wizard.step(page, 'Summary')).toBeVisible();
  await expect(wizard.step(page, 'Specify spaces')).toHaveCount(0);
  const helpdesk = page.getByRole('region', { name: 'Helpdesk' });
  await expect(helpdesk).toContainText('Device Read Only (Default Space)');
  await expect(helpdesk).toContainText('Device Actions (Default Space)');
  await expect(helpdesk).toContainText('Lock Manage');
  await wizard.button(page, 'Done').click();
  await expect(page.getByRole('status').filter({ hasText: 'Roles applied.' })).toBeVisible();
  await wizard.button(page, 'Close').click();
  // alice is in Helpdesk: her effective permissions say where they come from.
  await openUser(page, 'alice');
  await expect(page.getByText('Device Actions via group Helpdesk').first()).toBeVisible();
});

test('iot: the wizard skips the spaces step and Assign roles edits the full set', async ({ page }) => {
  await signedIn(page);
  const username = uniqueUsername('assign');
  await addUser(page, username);
  await openUser(page, username);
  await page.getByRole('button', { name: 'Assign roles' }).click();
  await wizard.role(page, 'Global Reader').check();
  await wizard.button(page, 'Next').click();
  await expect(wizard.step(page, 'Summary')).toBeVisible();
  await expect(page.getByRole('region', { name: username })).toContainText('Roles added');
  await wizard.button(page, 'Done').click();
  await expect(page.getByRole('status').filter({ hasText: 'Roles applied.' })).toBeVisible();
  await wizard.button(page, 'Close').click();
  await expect(page.getByRole('checkbox', { name: 'Global Reader', exact: true })).toBeChecked();
  await page.getByRole('button', { name: 'Assign roles' }).click();
  await expect(wizard.role(page, 'Global Reader')).toBeChecked();
  await wizard.role(page, 'Global Reader').uncheck();
  await wizard.role(page, 'Cockpit User').check();
  await wizard.button(page, 'Next').click();
  const alice = page.getByRole('region', { name: username });
  await expect(alice).toContainText('Roles removed');
  await expect(alice).toContainText('Global Reader');
  await wizard.button(page, 'Done').click();
  await wizard.button(page, 'Close').click();
  await expect(page.getByRole('checkbox', { name: 'Cockpit User', exact: true })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Global Reader', exact: true })).not.toBeChecked();
});

test('an SSO user shows Roles managed by SSO and the role controls are disabled', async ({ page }) => {
  await signedIn(page);
  await openUser(page, 'sso.dave');
  await expect(page.getByRole('note', { name: 'Roles managed by SSO' })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Global Reader', exact: true })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Assign roles' })).toBeDisabled();
  // The tenant setting lets administrators change them by hand.
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const allow = page.getByRole('checkbox', { name: 'Allow manual role changes for SSO users' });
  await allow.check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await openUser(page, 'sso.dave');
  await expect(page.getByRole('note', { name: 'Roles managed by SSO' })).toHaveCount(0);
  await expect(page.getByRole('checkbox', { name: 'Global Reader', exact: true })).toBeEnabled();
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await allow.uncheck();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
});

test('a tenant admin changing a partner administrator gets the Service Provider Portal message', async ({ page }) => {
  await signedIn(page);
  await openUser(page, 'partner.erin');
  await page.getByRole('checkbox', { name: 'Global Reader', exact: true }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText(PARTNER_MESSAGE);
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('checkbox', { name: 'Global Reader', exact: true })).not.toBeChecked();
  await page.getByRole('button', { name: 'Assign roles' }).click();
  await expect(page.getByRole('dialog').getByRole('alert')).toHaveText(PARTNER_MESSAGE);
});

test('the users list popover: Apply on a partner administrator shows the Service Provider Portal message and changes nothing', async ({ page }) => {
  await signedIn(page);
  await page.goto('/users');
  await hydrated(page);
  await page.getByLabel('Search users').fill('partner.erin');
  const cell = page.getByRole('button', { name: 'Global roles of partner.erin' });
  const before = await cell.textContent();
  await cell.click();
  const popover = page.getByRole('dialog', { name: 'Global roles of partner.erin' });
  // SPEC rule 7: the controls stay enabled; Apply says why nothing happens.
  const box = popover.getByRole('checkbox', { name: 'Global Reader', exact: true });
  await expect(box).toBeEnabled();
  await box.check();
  await popover.getByRole('button', { name: 'Apply' }).click();
  await expect(popover.getByRole('alert')).toHaveText(PARTNER_MESSAGE);
  await page.reload();
  await hydrated(page);
  await page.getByLabel('Search users').fill('partner.erin');
  await expect(page.getByRole('button', { name: 'Global roles of partner.erin' })).toHaveText(before ?? '');
  await openUser(page, 'partner.erin');
  await hydrated(page);
  await expect(page.getByRole('checkbox', { name: 'Global Reader', exact: true })).not.toBeChecked();
});

test('mdm: Select roles searches on the server and keeps what was chosen across searches', async ({ page }) => {
  await signedIn(page, { tenant: 'globex' });
  const username = uniqueUsername('search');
  await addUser(page, username);
  await selectOnList(page, '/users', [username], username);
  await page.getByRole('button', { name: 'Append roles' }).click();
  const search = page.getByRole('dialog').getByRole('searchbox', { name: 'Search roles' });
  await search.fill('actions');
  await expect(wizard.role(page, 'System Read Only')).toHaveCount(0);
  // Device Actions requires Device Read Only, which this search does not show: it is added anyway.
  await wizard.role(page, 'Device Actions').check();
  await expect(page.getByRole('dialog').getByRole('status')).toHaveText('Device Read Only was added: Device Actions requires it.');
  await search.fill('system read');
  await expect(wizard.role(page, 'Device Actions')).toHaveCount(0);
  await wizard.role(page, 'System Read Only').check();
  await search.fill('nothing is called this');
  await expect(page.getByRole('dialog')).toContainText('No role you may grant matches the search.');
  await search.fill('');
  await expect(wizard.role(page, 'Device Actions')).toBeChecked();
  await expect(wizard.role(page, 'Device Read Only')).toBeChecked();
  await expect(wizard.role(page, 'System Read Only')).toBeChecked();
  await wizard.button(page, 'Next').click();
  // Both Space-Specific roles ask for their spaces; the cross-space one does not.
  await expect(page.getByRole('group', { name: 'Device Actions' })).toBeVisible();
  await expect(page.getByRole('group', { name: 'System Read Only' })).toHaveCount(0);
  await wizard.space(page, 'Device Actions', 'EMEA').check();
  await wizard.space(page, 'Device Read Only', 'EMEA').check();
  await wizard.button(page, 'Next').click();
  const summary = page.getByRole('region', { name: username });
  await expect(summary).toContainText('Device Actions (EMEA)');
  await expect(summary).toContainText('Device Read Only (EMEA)');
  await expect(summary).toContainText('System Read Only');
});

test('SPEC rule 4: a bulk Append applies to everyone but the locked users it names, who keep their roles', async ({ page }) => {
  await signedIn(page, { tenant: 'hooli' });
  const username = uniqueUsername('bulk');
  await addUser(page, username);
  await page.goto('/users');
  await hydrated(page);
  // The selection is kept across searches.
  for (const name of [username, 'sso.dave', 'partner.erin']) {
    await page.getByLabel('Search users').fill(name);
    await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check();
  }
  await expect(page.getByText('3 selected')).toBeVisible();
  await page.getByRole('button', { name: 'Append roles' }).click();
  await wizard.role(page, 'System Read Only').check();
  await wizard.button(page, 'Next').click();
  await expect(wizard.step(page, 'Summary')).toBeVisible();
  const region = (name: string) => wizard.dialog(page).getByRole('region', { name, exact: true });
  await expect(region(username)).toContainText('System Read Only');
  await expect(region('sso.dave')).toContainText('Skipped: Roles managed by SSO');
  await expect(region('partner.erin')).toContainText(`Skipped: ${PARTNER_MESSAGE}`);
  await wizard.button(page, 'Done').click();
  await expect(page.getByRole('status').filter({ hasText: 'Roles applied.' })).toBeVisible();
  // What was applied names them again.
  await expect(region('sso.dave')).toContainText('Skipped');
  await expect(region('partner.erin')).toContainText('Skipped');
  await wizard.button(page, 'Close').click();
  await openUser(page, username);
  await expect(page.getByRole('checkbox', { name: 'System Read Only', exact: true })).toBeChecked();
  for (const locked of ['sso.dave', 'partner.erin']) {
    await openUser(page, locked);
    await hydrated(page);
    await expect(page.getByRole('checkbox', { name: 'System Read Only', exact: true })).not.toBeChecked();
  }
});

test('SPEC rule 5: Device Actions in Americas with Device Read Only only in EMEA is refused and nothing changes', async ({ page }) => {
  await signedIn(page, { tenant: 'globex' });
  const username = uniqueUsername('scope');
  await addUser(page, username);
  await selectOnList(page, '/users', [username], username);
  await page.getByRole('button', { name: 'Append roles' }).click();
  await wizard.role(page, 'Device Actions').check();
  await expect(wizard.role(page, 'Device Read Only')).toBeChecked();
  await wizard.button(page, 'Next').click();
  // The required role in another space than the role that requires it.
  await wizard.space(page, 'Device Actions', 'Americas').check();
  await wizard.space(page, 'Device Read Only', 'EMEA').check();
  await wizard.button(page, 'Next').click();
  await expect(wizard.step(page, 'Summary')).toBeVisible();
  const refusal = 'Device Actions requires Device Read Only';
  await expect(wizard.dialog(page).getByRole('alert').first()).toContainText(refusal);
  // Done anyway: refused, and nothing is written.
  await wizard.button(page, 'Done').click();
  await expect(wizard.dialog(page).getByRole('alert').filter({ hasText: refusal })).toHaveCount(2);
  await expect(page.getByRole('status').filter({ hasText: 'Roles applied.' })).toHaveCount(0);
  await wizard.dialog(page).getByRole('button', { name: 'Cancel', exact: true }).click();
  await openUser(page, username);
  await hydrated(page);
  await expect(page.getByRole('checkbox', { name: 'Device Actions', exact: true })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Device Read Only', exact: true })).not.toBeChecked();
});
