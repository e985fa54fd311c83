import { expect, test } from '@playwright/test';
import { hydrated, signedIn } from './fixtures/act';
import { expectOverridden, inventoryEditor as editor, setRow } from './fixtures/inventory';
import { unique } from './fixtures/roles';

test.beforeEach(async ({ page }) => {
  // Inventory roles belong to the iot template: the demo tenant acme.
  await signedIn(page);
});

test('add an inventory role; overridden comes and goes with the Full access row; rows persist', async ({ page }) => {
  const name = unique('Field service');
  await page.getByRole('link', { name: 'Roles', exact: true }).click();
  await hydrated(page);
  await page.getByRole('tab', { name: 'Inventory roles' }).click();
  await page.getByRole('link', { name: 'Add inventory role' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New inventory role');
  await editor.name(page).fill(name);
  await page.getByLabel('Description', { exact: true }).fill('Reads alarms, restarts devices.');

  await editor.add(page).click();
  await expect(editor.rows(page)).toHaveCount(1);
  // The new row is Alarms, *, Read.
  await expect(editor.row(page, 1).getByLabel('Category', { exact: true })).toHaveValue('Alarms');
  await expect(editor.row(page, 1).getByLabel('Type', { exact: true })).toHaveValue('*');
  await expect(editor.row(page, 1).getByLabel('Permission', { exact: true })).toHaveValue('Read');
  await expectOverridden(page, 1, false);

  // A Full access * All row moved above it: add two rows, make the first Full access.
  await editor.add(page).click();
  await editor.add(page).click();
  await setRow(page, 1, 'Full access', '*', 'All');
  await setRow(page, 2, 'Alarms', '*', 'Read');
  await setRow(page, 3, 'Device control', 'c8y_Restart', 'Change');
  await expectOverridden(page, 2, true);
  await expectOverridden(page, 3, true);
  await expect(editor.row(page, 2)).toContainText('Full access (All) above already grants this.');

  await page.getByRole('button', { name: 'Remove row 1' }).click();
  await expect(editor.rows(page)).toHaveCount(2);
  await expect(editor.add(page)).toBeFocused();
  await expect(page.getByRole('button', { name: 'Remove row 2' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Remove row 3' })).toHaveCount(0);
  await expectOverridden(page, 1, false);
  await expectOverridden(page, 2, false);
  await expect(page.getByText('overridden', { exact: true })).toHaveCount(0);

  await editor.save(page).click();
  await expect(page).toHaveURL(/\/roles\/inventory\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);

  await page.reload();
  await hydrated(page);
  await expect(editor.name(page)).toHaveValue(name);
  await expect(editor.rows(page)).toHaveCount(2);
  await expect(editor.row(page, 1).getByLabel('Category', { exact: true })).toHaveValue('Alarms');
  await expect(editor.row(page, 2).getByLabel('Category', { exact: true })).toHaveValue('Device control');
  await expect(editor.row(page, 2).getByLabel('Type', { exact: true })).toHaveValue('c8y_Restart');
  await expect(editor.row(page, 2).getByLabel('Permission', { exact: true })).toHaveValue('Change');

  // The card on the Inventory roles tab is named by the role and opens its editor.
  await page.getByRole('link', { name: 'Roles', exact: true }).first().click();
  await page.getByRole('tab', { name: 'Inventory roles' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Inventory roles' });
  await panel.getByRole('link', { name, exact: true }).click();
  await expect(editor.name(page)).toHaveValue(name);
});

test('a duplicate name is refused next to the field and nothing typed is lost; delete asks first', async ({ page }) => {
  const name = unique('Temp role');
  await page.goto('/roles/inventory/new');
  await hydrated(page);
  await editor.name(page).fill('Reader');
  await editor.add(page).click();
  await setRow(page, 1, 'Events', 'c8y_Position', 'Read');
  await editor.save(page).click();
  await expect(page.getByRole('alert').filter({ hasText: 'An inventory role with this name already exists.' })).toBeVisible();
  await expect(editor.row(page, 1).getByLabel('Type', { exact: true })).toHaveValue('c8y_Position');
  await editor.name(page).fill(name);
  await editor.save(page).click();
  await expect(page).toHaveURL(/\/roles\/inventory\/\d+$/);
  await hydrated(page);

  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const confirm = page.getByRole('alertdialog');
  await expect(confirm).toContainText(`Delete inventory role ${name}?`);
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Delete role' }).click();
  await expect(page).toHaveURL(/\/roles$/);
  await page.getByRole('tab', { name: 'Inventory roles' }).click();
  // The tab's roles are read when it opens: wait for them, then the deleted one is not there.
  await expect(page.getByRole('heading', { name: 'Manager', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name, exact: true })).toHaveCount(0);
});
