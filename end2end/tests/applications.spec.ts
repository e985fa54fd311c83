import { expect, test } from '@playwright/test';
import { addUser, hydrated, signedIn, uniqueUsername } from './fixtures/act';
import { openUser } from './fixtures/wizard';

test('Application access: the admin gives a user Cockpit directly, and it stays after a reload', async ({ page }) => {
  await signedIn(page);
  const user = uniqueUsername('apps');
  await addUser(page, user);
  await openUser(page, user);
  await hydrated(page);
  await page.getByRole('tab', { name: 'Application access' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Application access' });
  const cockpit = panel.getByRole('checkbox', { name: 'Cockpit', exact: true });
  await expect(cockpit).not.toBeChecked();
  await cockpit.check();
  await panel.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Application access saved.' })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await page.getByRole('tab', { name: 'Application access' }).click();
  await expect(page.getByRole('tabpanel', { name: 'Application access' }).getByRole('checkbox', { name: 'Cockpit', exact: true })).toBeChecked();
});
