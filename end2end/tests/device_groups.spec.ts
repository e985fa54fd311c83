import { expect, test } from '@playwright/test';
import { hydrated, signedIn } from './fixtures/act';

test('build a device-group tree, refuse a move under itself, delete with a confirmation naming what goes', async ({ page }) => {
  await signedIn(page);
  await page.getByRole('link', { name: 'Device groups', exact: true }).click();
  await hydrated(page);
  // The demo tree: Region North ⊃ Plant 1 ⊃ pump-17.
  await page.getByRole('button', { name: 'Expand or collapse Region North' }).click();
  await page.getByRole('button', { name: 'Expand or collapse Plant 1' }).click();
  await expect(page.getByText('pump-17')).toBeVisible();

  await page.getByLabel('New top-level group').fill('Region West');
  await page.getByRole('button', { name: 'Add group' }).click();
  await page.getByRole('button', { name: 'Add subgroup to Region West' }).click();
  await page.getByLabel('Name of the new subgroup').fill('Depot 9');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Depot 9')).toBeVisible();
  await page.getByRole('button', { name: 'Add device to Depot 9' }).click();
  await page.getByLabel('Name of the new device').fill('valve-3');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  // The node opens to show what was added to it.
  await expect(page.getByRole('button', { name: 'Expand or collapse Depot 9' })).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByText('valve-3')).toBeVisible();
  await expect(page.getByLabel('New top-level group')).toHaveValue('');

  // Moving Region West under its own subgroup is refused.
  await page.getByRole('button', { name: 'Move Region West' }).click();
  await page.getByRole('button', { name: 'Move Region West into Depot 9' }).click();
  await expect(page.getByRole('alert')).toHaveText('A group cannot move into itself or into one of its subgroups.');
  await page.getByRole('button', { name: 'Cancel move' }).click();

  await page.getByRole('button', { name: 'Delete Region West' }).click();
  const confirm = page.getByRole('alertdialog');
  await expect(confirm).toContainText('This removes Region West with its 1 subgroups and 1 devices.');
  await confirm.getByRole('button', { name: 'Delete group' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted Region West' })).toBeVisible();
  await expect(page.getByText('Depot 9')).toHaveCount(0);
});

test('the Inventory roles tab shows the default inventory roles with their rows', async ({ page }) => {
  await signedIn(page);
  await page.getByRole('link', { name: 'Roles', exact: true }).click();
  await hydrated(page);
  await page.getByRole('tab', { name: 'Inventory roles' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Inventory roles' });
  for (const name of ['Manager', 'Operations: All', 'Operations: Restart Device', 'Reader']) {
    await expect(panel.getByRole('heading', { name, exact: true })).toBeVisible();
  }
  const restart = panel.getByRole('article', { name: 'Operations: Restart Device' });
  await expect(restart.getByRole('cell', { name: 'c8y_Restart' })).toBeVisible();
  await expect(panel.getByText('overridden', { exact: true })).toHaveCount(0);
});
