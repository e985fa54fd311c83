import { Browser, expect, Page, test } from '@playwright/test';
import { DEMO, hydrated, signedIn } from './fixtures/act';
import { openUser } from './fixtures/wizard';

// Against the real development provider (scripts/oidc-dev.sh), which the Playwright config starts
// and the demo's acme trusts (SPEC section 7). The tests run in order: they change acme's rule
// and role mode, and put both back at the end.

/** act: `Sign in with SSO` to acme as `username` at the provider, in a fresh browser context
 * (the provider remembers a sign-in per browser). Returns the page, wherever it landed. */
async function ssoSignIn(browser: Browser, username: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Tenant').fill(DEMO.tenant);
  await page.getByLabel('Tenant').blur();
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  // The provider's own page.
  await page.waitForURL((url) => url.port === OIDC_PORT);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(DEMO.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.port !== '' && !url.pathname.startsWith('/interaction'));
  return page;
}

/** check: which of Global Reader and Global Manager a user's page shows ticked. */
async function expectRoles(page: Page, username: string, roles: { reader: boolean; manager: boolean }) {
  await openUser(page, username);
  await hydrated(page);
  const box = (name: string) => page.getByRole('checkbox', { name, exact: true });
  await expect(box('Global Reader')).toBeChecked({ checked: roles.reader });
  await expect(box('Global Manager')).toBeChecked({ checked: roles.manager });
}

async function setRule(page: Page, tick: string, untick: string) {
  await page.goto('/settings/access-mapping');
  await hydrated(page);
  const rule = page.getByRole('group', { name: 'Rule 1' });
  await rule.getByRole('checkbox', { name: untick, exact: true }).uncheck();
  await rule.getByRole('checkbox', { name: tick, exact: true }).check();
  await page.getByRole('button', { name: 'Save rules' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Rules saved.' })).toBeVisible();
}

async function setRoleMode(page: Page, mode: string) {
  await page.goto('/settings');
  await hydrated(page);
  await page.getByLabel('Role mode').selectOption({ label: mode });
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

const OIDC_PORT = process.env.E2E_OIDC_PORT ?? '3901';

test('sso.dave signs in with SSO and gets the roles of the rule, locked on his page', async ({ browser, page }) => {
  const dave = await ssoSignIn(browser, 'sso.dave');
  await expect(dave).toHaveURL(/\/$/);
  await hydrated(dave);
  await expect(dave.getByRole('button', { name: 'User menu' })).toBeVisible();
  await dave.context().close();

  await signedIn(page);
  await expectRoles(page, 'sso.dave', { reader: true, manager: false });
  await expect(page.getByRole('note', { name: 'Roles managed by SSO' })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Global Reader', exact: true })).toBeDisabled();
  await page.getByRole('tab', { name: 'Inventory roles' }).click();
  await expect(page.getByLabel('Roles on Region North', { exact: true })).toHaveText('Reader');
});

test('the admin changes the rule and dave\'s roles follow at his next sign-in; in Only when the user is created they do not', async ({ browser, page }) => {
  await signedIn(page);
  await setRule(page, 'Global Manager', 'Global Reader');
  const dave = await ssoSignIn(browser, 'sso.dave');
  await expect(dave).toHaveURL(/\/$/);
  await dave.context().close();
  await expectRoles(page, 'sso.dave', { reader: false, manager: true });

  await setRoleMode(page, 'Only when the user is created');
  await setRule(page, 'Global Reader', 'Global Manager');
  const again = await ssoSignIn(browser, 'sso.dave');
  await expect(again).toHaveURL(/\/$/);
  await again.context().close();
  await expectRoles(page, 'sso.dave', { reader: false, manager: true });
  // SPEC rule 6: in this mode none of his roles is locked; his page is his admin's to change.
  const box = (name: string) => page.getByRole('checkbox', { name, exact: true });
  await expect(page.getByRole('note', { name: 'Roles managed by SSO' })).toHaveCount(0);
  await expect(box('Global Reader')).toBeEnabled();
  await expect(box('Global Manager')).toBeEnabled();
  await box('CEP Manager').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(box('CEP Manager')).toBeChecked();
  await box('CEP Manager').uncheck();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await setRoleMode(page, 'Reassign on every sign-in');
});

test('sso.grace matches no rule and gets no roles', async ({ browser, page }) => {
  const grace = await ssoSignIn(browser, 'sso.grace');
  await expect(grace).toHaveURL(/\/$/);
  await grace.context().close();
  await signedIn(page);
  await expectRoles(page, 'sso.grace', { reader: false, manager: false });
});

test('SSO never signs in as a local user: alice at the provider is refused with a clear page, and local alice is unchanged', async ({ browser, page }) => {
  const alice = await ssoSignIn(browser, 'alice');
  await expect(alice.getByRole('heading', { name: 'Single sign-on failed' })).toBeVisible();
  await expect(alice.getByRole('alert')).toContainText('local user');
  // Not signed in: the console sends her to the sign-in page.
  await alice.goto('/users');
  await expect(alice).toHaveURL(/\/login/);
  await alice.context().close();
  await signedIn(page);
  await openUser(page, 'alice');
  await hydrated(page);
  await expect(page.getByText('local', { exact: true })).toBeVisible();
  // Still hers: not linked to the provider, so her roles are not managed by SSO.
  await expect(page.getByRole('note', { name: 'Roles managed by SSO' })).toHaveCount(0);
});

test('in Only the listed roles, the role a rule names is locked on an SSO user\'s page and the others are his admin\'s', async ({ page }) => {
  await signedIn(page);
  await setRoleMode(page, 'Only the listed roles');
  await openUser(page, 'sso.dave');
  await hydrated(page);
  const box = (name: string) => page.getByRole('checkbox', { name, exact: true });
  // The rule names Global Reader: sign-ins set it, so it is disabled with the reason.
  await expect(box('Global Reader')).toBeDisabled();
  await expect(box('Global Reader')).toHaveAccessibleDescription(/Managed by SSO/);
  await expect(page.getByRole('note', { name: 'Roles managed by SSO' })).toHaveCount(0);
  await box('CEP Manager').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(box('CEP Manager')).toBeChecked();
  await expect(box('Global Reader')).toBeDisabled();
  // Put it back as it was.
  await box('CEP Manager').uncheck();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await setRoleMode(page, 'Reassign on every sign-in');
  await openUser(page, 'sso.dave');
  await hydrated(page);
  // Reassign: every role of his is the rules', with the lock indicator.
  await expect(page.getByRole('note', { name: 'Roles managed by SSO' })).toBeVisible();
  await expect(box('CEP Manager')).toBeDisabled();
});

test('a tampered state and a wrong issuer are refused with a clear page', async ({ browser, page }) => {
  const context = await browser.newContext();
  const tampered = await context.newPage();
  await tampered.goto('/login');
  await hydrated(tampered);
  await tampered.getByLabel('Tenant').fill(DEMO.tenant);
  await tampered.getByLabel('Tenant').blur();
  await tampered.getByRole('button', { name: 'Sign in with SSO' }).click();
  await tampered.waitForURL((url) => url.port === OIDC_PORT);
  await tampered.goto('/sso/callback?code=forged&state=not-the-one');
  await expect(tampered.getByRole('heading', { name: 'Single sign-on failed' })).toBeVisible();
  await expect(tampered.getByRole('alert')).toContainText('state does not match');
  await context.close();

  await signedIn(page);
  await page.goto('/settings');
  await hydrated(page);
  const issuer = page.getByLabel('Issuer URL');
  const right = await issuer.inputValue();
  await issuer.fill(right.replace('127.0.0.1', 'localhost'));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  const other = await browser.newContext();
  const wrong = await other.newPage();
  await wrong.goto('/login');
  await hydrated(wrong);
  await wrong.getByLabel('Tenant').fill(DEMO.tenant);
  await wrong.getByLabel('Tenant').blur();
  await wrong.getByRole('button', { name: 'Sign in with SSO' }).click();
  // The provider at that address says it is another issuer: refused before leaving the page.
  await expect(wrong.getByRole('alert')).toContainText('discovery document');
  await expect(wrong.getByRole('alert')).toContainText('issuer');
  await expect(wrong).toHaveURL(/\/login$/);
  await other.close();
  await issuer.fill(right);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
});
