/**
 * Debian's Chromium driven by playwright-core (which brings no browser of its own):
 * headless, sandbox off (CI runs as root), no network of its own, a fresh profile.
 */
import { existsSync, rmSync } from "node:fs";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { tempDir } from "../helpers/session.js";

export const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`;
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1400, height: 860 }): Promise<Browser> {
  const profile = tempDir("claude-chromium-");
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the Node-RED editor and waits until it has loaded the palette and the flows. */
export async function openEditor(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator("#red-ui-palette-container .red-ui-palette-node").first().waitFor();
  await page.locator("#red-ui-loading-progress").waitFor({ state: "hidden" });
  return page;
}

/**
 * Shows a sidebar tab as a user does: its button in the sidebar's header, or the header's tab
 * menu when the button does not fit (Node-RED 4). Node-RED 5's tab bar has no ids to find a
 * tab's button by, so there the editor's own `RED.sidebar.show` does what the button does.
 */
export async function showSidebarTab(page: Page, id: string): Promise<void> {
  const button = page.locator(`#red-ui-tab-${id}-link-button`);
  const menu = page.locator("#red-ui-sidebar .red-ui-tab-link-button-menu");
  if (await button.isVisible()) {
    await button.click();
  } else if (await menu.isVisible()) {
    await menu.click();
    await page.locator(`#red-ui-tabs-menu-option-${id}`).click();
  } else {
    await page.evaluate((tab) => (window as unknown as { RED: { sidebar: { show(tab: string): void } } }).RED.sidebar.show(tab), id);
    return;
  }
  await page.locator(`#red-ui-tab-${id}.active`).waitFor();
}
