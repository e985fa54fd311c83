import { expect, Page, test } from '@playwright/test';
import { addUser, DEMO, hydrated, signedIn, uniqueUsername } from './fixtures/act';
import { editor, openRole, unique } from './fixtures/roles';

// migration (seed 002): the restricting switches (`Limit access to 'My Apps'`, `Disable Context
// Menu`, `User can't save/run DMRs`) restrict. SPEC rule 1: a switch binds a user only if every
// role giving them the module carries it. SPEC rule 4: ticking one takes a freedom away and
// clearing one grants it, so an administrator bound by a switch can do neither.

const LIMIT = "Applications: Limit access to 'My Apps'";
const MENU = 'Applications: Disable Context Menu';
const access = (page: Page, module: string) => page.getByRole('radiogroup', { name: `${module} access` });
const switchOf = (page: Page, name: string) => page.getByRole('checkbox', { name, exact: true });

/** act: a new role opening Applications Read/Write, with `LIMIT` ticked, plus `more` modules. */
async function limitedRole(page: Page, name: string, more: Array<[string, string]> = []) {
  await page.goto('/roles/global/new');
  await hydrated(page);
  await editor.name(page).fill(name);
  // Before the module has access, its switches restrict nothing and cannot be set.
  await expect(switchOf(page, LIMIT)).toBeDisabled();
  await access(page, 'Applications').getByRole('radio', { name: 'Read/Write' }).check();
  // Project Admin is free of every switch: opening the module frees the role of them too.
  await expect(switchOf(page, LIMIT)).not.toBeChecked();
  await expect(switchOf(page, MENU)).not.toBeChecked();
  await switchOf(page, LIMIT).check();
  for (const [module, level] of more) {
    await access(page, module).getByRole('radio', { name: level }).check();
  }
  await editor.save(page).click();
  await expect(page).toHaveURL(/\/roles\/global\/\d+$/);
}

/** act: on the users list, a new user holding `roles` (ticked on their page, `Save`). */
async function userWith(page: Page, prefix: string, roles: string[]) {
  const username = uniqueUsername(prefix);
  await addUser(page, username);
  await page.getByLabel('Search users').fill(username);
  await page.getByRole('link', { name: username, exact: true }).click();
  await hydrated(page);
  for (const role of roles) await page.getByRole('checkbox', { name: role, exact: true }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  return username;
}

test('initech: a switch binds a user only while every role giving the module carries it', async ({ page }) => {
  await signedIn(page, { tenant: 'initech' });
  const name = unique('Own apps');
  await limitedRole(page, name);
  await page.reload();
  await hydrated(page);
  await expect(switchOf(page, LIMIT)).toBeChecked();
  await expect(switchOf(page, MENU)).not.toBeChecked();

  await userWith(page, 'apps', [name]);
  const limit = page.getByRole('cell', { name: new RegExp(`^${LIMIT}: restricted`) });
  await expect(limit).toBeVisible();
  await expect(page.getByRole('cell', { name: `${MENU} Exempt: granted by ${name}` })).toBeVisible();

  // Project Member gives Applications without the switch: she is no longer bound by it.
  await page.getByRole('checkbox', { name: 'Project Member', exact: true }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(limit).toHaveCount(0);
  await expect(page.getByRole('cell', { name: `${LIMIT} Exempt: granted by Project Member` })).toBeVisible();
});

test('initech: an administrator bound by a switch can neither clear nor set it; a forced save is refused and nothing changes', async ({ page, browser }) => {
  await signedIn(page, { tenant: 'initech' });
  const role = unique('Limited assigners');
  await limitedRole(page, role, [['User Account Roles', 'Read/Write']]);
  const username = await userWith(page, 'limited', [role]);

  const theirs = await (await browser.newContext()).newPage();
  await signedIn(theirs, { tenant: 'initech', username, password: DEMO.password });
  await openRole(theirs, 'Project Member');
  // Project Member frees its holders of LIMIT, which she is not free of: she can neither tick it
  // nor take the module's access (and with it the freedom) away.
  await expect(switchOf(theirs, LIMIT)).not.toBeChecked();
  await expect(switchOf(theirs, LIMIT)).toBeDisabled();
  await expect(access(theirs, 'Applications').getByRole('radio', { name: 'Deny Access' })).toBeDisabled();
  // What she is free of, she may switch.
  await expect(switchOf(theirs, MENU)).toBeEnabled();

  // Forced, as an attacker would: the server function with the switch ticked (the freedom gone).
  const refused = await theirs.evaluate(async (limit) => {
    const post = (url: string, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
    const list = await post('/api/roles/list', { query: 'Project Member', page: 1 }).then((r) => r.json());
    const member = (list.rows as Array<{ id: number; name: string }>).find((r) => r.name === 'Project Member')!;
    const editor = await post('/api/roles/editor', { id: member.id }).then((r) => r.json());
    const grants = { ...editor.role.grants };
    delete grants[limit];
    const response = await post('/api/roles/save', {
      input: {
        id: member.id,
        name: 'Project Member',
        description: editor.role.description,
        grants,
        applications: editor.role.applications,
        version: editor.role.version,
      },
    });
    return { status: response.status, text: await response.text() };
  }, LIMIT);
  expect(refused.status).toBe(403);
  expect(refused.text).toContain(`${LIMIT} Exempt`);

  // Nothing changed: Project Member still frees its holders of the switch.
  await openRole(page, 'Project Member');
  await expect(switchOf(page, LIMIT)).not.toBeChecked();
  await expect(switchOf(page, LIMIT)).toBeEnabled();
  await theirs.context().close();
});
