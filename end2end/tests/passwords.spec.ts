import { Browser, expect, Page, test } from '@playwright/test';
import { addUser, DEMO, hydrated, signedIn, signOut, uniqueUsername } from './fixtures/act';
import { find } from './fixtures/find';

// Credentials (issue 14): Change password in the user menu, a one-time password set by an
// administrator, and the tenant's password policy wherever a password is set.

async function asUser(browser: Browser, username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signedIn(page, { username, password });
  return page;
}

async function changePassword(page: Page, current: string, next: string) {
  await page.getByLabel('Current password').fill(current);
  await page.getByLabel('New password').fill(next);
  await page.getByRole('button', { name: 'Change password' }).click();
}

test('a user changes their own password from the user menu; a wrong or weak one is refused with the reason', async ({ page, browser }) => {
  await signedIn(page);
  const name = uniqueUsername('pw');
  await addUser(page, name);
  const theirs = await asUser(browser, name, DEMO.password);
  await find.userMenu(theirs).click();
  await theirs.getByRole('link', { name: 'Change password' }).click();
  await hydrated(theirs);
  await expect(theirs.getByRole('heading', { level: 1 })).toHaveText('Change password');
  await changePassword(theirs, 'not-the-password', 'Harder-to-guess-7');
  await expect(theirs.getByText('The current password is not correct.')).toBeVisible();
  await changePassword(theirs, DEMO.password, 'Short-7');
  await expect(theirs.getByText('Password must have at least 10 characters.')).toBeVisible();
  await changePassword(theirs, DEMO.password, 'password123');
  await expect(theirs.getByText('This password is too common.')).toBeVisible();
  await changePassword(theirs, DEMO.password, 'Harder-to-guess-7');
  await expect(theirs.getByRole('status').filter({ hasText: 'Password changed.' })).toBeVisible();
  await signOut(theirs);
  await theirs.waitForURL(/\/login$/);
  await signedIn(theirs, { username: name, password: 'Harder-to-guess-7' });
  await expect(theirs.getByRole('heading', { level: 1 })).toContainText('Welcome');
});

test('a one-time password must be changed at the next sign-in before anything else', async ({ page, browser }) => {
  await signedIn(page);
  const name = uniqueUsername('otp');
  await addUser(page, name);
  await page.getByLabel('Search users').fill(name);
  await page.getByRole('link', { name, exact: true }).click();
  await hydrated(page);
  await page.getByLabel('One-time password').fill('Short-7');
  await page.getByRole('button', { name: 'Set one-time password' }).click();
  await expect(page.getByText('Password must have at least 10 characters.')).toBeVisible();
  await page.getByLabel('One-time password').fill('Temporary-pass-9');
  await page.getByRole('button', { name: 'Set one-time password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'One-time password set.' })).toBeVisible();

  const theirs = await asUser(browser, name, 'Temporary-pass-9');
  await expect(theirs).toHaveURL(/\/password$/);
  await expect(theirs.getByText('Your administrator set a one-time password.')).toBeVisible();
  await theirs.goto('/users');
  await hydrated(theirs);
  await expect(theirs).toHaveURL(/\/password$/);
  await changePassword(theirs, 'Temporary-pass-9', 'Chosen-by-me-42');
  await expect(theirs).toHaveURL(/\/$/);
  await expect(theirs.getByRole('heading', { level: 1 })).toContainText('Welcome');
});

test('the tenant policy: Minimum password length applies to a new user, with the reason shown', async ({ page }) => {
  await signedIn(page);
  await page.goto('/settings');
  await hydrated(page);
  const length = page.getByLabel('Minimum password length');
  await expect(length).toHaveValue('10');
  await length.fill('5');
  await page.getByRole('button', { name: 'Save password policy' }).click();
  await expect(page.getByText('Minimum password length must be between 8 and 64.')).toBeVisible();
  await length.fill('14');
  await page.getByRole('button', { name: 'Save password policy' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password policy saved.' })).toBeVisible();
  try {
    await page.goto('/users');
    await hydrated(page);
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByLabel('Username').fill(uniqueUsername('policy'));
    await page.getByLabel('Password').fill('Twelve-char1');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect(page.getByText('Password must have at least 14 characters.')).toBeVisible();
    // What was typed stays.
    await expect(page.getByLabel('Password')).toHaveValue('Twelve-char1');
  } finally {
    await page.goto('/settings');
    await hydrated(page);
    await page.getByLabel('Minimum password length').fill('10');
    await page.getByRole('button', { name: 'Save password policy' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Password policy saved.' })).toBeVisible();
  }
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('Minimum password length')).toHaveValue('10');
});
