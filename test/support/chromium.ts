import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where Debian, Ubuntu and Google install it; `CHROMIUM_PATH` names another. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The system's Chromium (npm cannot download browsers on our machines), if there is one. */
export function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return configured;
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

export const HOW_TO_ENABLE_BROWSER_TESTS =
  'Install Chromium (Debian/Ubuntu: `apt-get install -y chromium`) or set CHROMIUM_PATH to a Chromium or Chrome binary.';

/** A host name that is not the loopback's, resolved by Chromium alone to 127.0.0.1. */
export const NON_LOOPBACK_HOST = 'yello.test';

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile. Without the background-networking switches it
 * phones home at start (component updates, sync, field trials), and those connections,
 * refused on our machines, can stall it.
 */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'yello-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      timeout: 120_000,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Plain http as typed: no https attempt first for a name that is not localhost.
        '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable',
        `--host-resolver-rules=MAP ${NON_LOOPBACK_HOST} 127.0.0.1`,
      ],
    });
    return {
      context,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
