import type { Locator, Page } from 'playwright-core';
import { z } from 'zod';

export interface LiveResponse {
  status: number;
  body: unknown;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The operations of the document, as far as finding them on the page needs: their tags. */
const operationTags = z.object({
  paths: z.record(z.string(), z.record(z.string(), z.object({ tags: z.array(z.string()).optional() }).loose())),
});

/**
 * Drives Swagger UI as a person does: open an operation's tag, expand the operation, "Try it
 * out", fill parameters and body, "Execute", read the response the page shows. Operations are
 * found by method and path (`.opblock-summary-path[data-path]`), which stay put while
 * summaries and operation ids are reworded; tags start collapsed.
 */
export class SwaggerUi {
  private tags = new Map<string, string>();

  constructor(readonly page: Page) {}

  /** Opens Swagger UI and waits for it to render the tags; reads which tag holds each operation. */
  async open(url: string): Promise<void> {
    await this.page.goto(url, { waitUntil: 'load' });
    await this.page.locator('.swagger-ui .opblock-tag').first().waitFor({ state: 'visible' });
    // Read in the page (its host name may only resolve there), as Swagger UI read it.
    const document = operationTags.parse(
      await this.page.evaluate(async () => {
        const response = await fetch('/docs-json');
        const body: unknown = await response.json();
        return body;
      }),
    );
    this.tags = new Map(
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.entries(operations).map(([method, { tags }]) => [`${method} ${path}`, tags?.[0] ?? 'default'] as const),
      ),
    );
  }

  /** The operation, its tag opened first as a person would. */
  async reveal(method: Method, path: string): Promise<Locator> {
    const tag = this.tags.get(`${method} ${path}`);
    if (tag === undefined) throw new Error(`No operation ${method} ${path} in the document`);
    const section = this.page.locator('.opblock-tag-section').filter({
      has: this.page.locator(`h3.opblock-tag[data-tag="${tag}"]`),
    });
    if (!(await section.evaluate((element) => element.classList.contains('is-open')))) {
      await section.locator(`h3.opblock-tag[data-tag="${tag}"]`).click();
    }
    const operation = this.operation(method, path);
    await operation.waitFor({ state: 'visible' });
    return operation;
  }

  operation(method: Method, path: string): Locator {
    return this.page
      .locator(`.opblock.opblock-${method}`)
      .filter({ has: this.page.locator(`.opblock-summary-path[data-path="${path}"]`) })
      .first();
  }

  /** Runs one operation from the page and returns the response Swagger UI displays. */
  async execute(
    method: Method,
    path: string,
    input: { parameters?: Record<string, string>; body?: unknown } = {},
  ): Promise<LiveResponse> {
    const operation = await this.reveal(method, path);
    await operation.scrollIntoViewIfNeeded();
    if (!(await operation.evaluate((element) => element.classList.contains('is-open')))) {
      await operation.locator('.opblock-summary-control').click();
    }
    const tryItOut = operation.locator('button.try-out__btn');
    if ((await tryItOut.innerText()).trim() === 'Try it out') await tryItOut.click();
    for (const [name, value] of Object.entries(input.parameters ?? {})) {
      await operation.locator(`tr[data-param-name="${name}"] input`).fill(value);
    }
    if (input.body !== undefined) {
      await operation.locator('textarea.body-param__text').fill(JSON.stringify(input.body, null, 2));
    }
    // A previous run's response would be read as this one's.
    const clear = operation.locator('button.btn-clear');
    if (await clear.isVisible()) await clear.click();
    await operation.locator('button.execute').click();

    const live = operation.locator('.live-responses-table');
    const response = live.locator('tr.response').first();
    const status = /\d{3}/.exec(await response.locator('td.response-col_status').innerText())?.[0];
    const body = await response.locator('.response-col_description .highlight-code pre').first().innerText();
    return { status: Number(status), body: body.trim() === '' ? undefined : JSON.parse(body) };
  }

  /** "Authorize" with a bearer token, as the dialog asks for it, in the form of `scheme` (`bearer`, `apiToken`). */
  async authorize(token: string, scheme = 'bearer'): Promise<void> {
    await this.inAuthorizeDialog(scheme, async (form) => {
      await form.locator('input').first().fill(token);
      await form.locator('.auth-btn-wrapper button.authorize').click();
    });
  }

  /** "Logout" of `scheme` in the Authorize dialog: its token is no longer sent. */
  async logout(scheme = 'bearer'): Promise<void> {
    await this.inAuthorizeDialog(scheme, (form) =>
      form.locator('.auth-btn-wrapper button', { hasText: 'Logout' }).click(),
    );
  }

  private async inAuthorizeDialog(scheme: string, act: (form: Locator) => Promise<void>): Promise<void> {
    await this.page.locator('.scheme-container button.authorize').click();
    const dialog = this.page.locator('.dialog-ux .modal-ux');
    await act(dialog.locator('form').filter({ hasText: `${scheme} (http` }));
    await dialog.locator('button.btn-done').first().click();
    await dialog.waitFor({ state: 'detached' });
  }
}
