// The API reference at /docs in real headless Chromium, against the real Worker: the
// generated OpenAPI document rendered by Scalar from this Worker's own assets, searchable,
// with the samples. Run by scripts/e2e.sh (make test), which sets TALLY_BASE_URL.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const EDGE = process.env.TALLY_BASE_URL;
assert.ok(EDGE, "TALLY_BASE_URL is not set: run these tests with `make test`");
const ARTIFACTS = join(process.cwd(), "test-artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
});
after(async () => browser?.close());

test("/docs renders every tag of the document from this origin only, and finds an operation and its samples", async () => {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const elsewhere = [];
  p.on("request", (r) => !r.url().startsWith(EDGE) && !r.url().startsWith("data:") && elsewhere.push(r.url()));
  const errors = [];
  p.on("pageerror", (e) => errors.push(String(e)));
  const doc = await (await fetch(`${EDGE}/v1/openapi.json`)).json();
  await p.goto(`${EDGE}/docs`);
  await p.getByRole("heading", { name: "Tally API", exact: true }).waitFor({ timeout: 20000 });
  const sidebar = await p.locator("nav, aside").first().innerText();
  for (const { name } of doc.tags) assert.ok(sidebar.includes(name), `the sidebar lists ${name}`);

  await p.locator(".sidebar-search-placeholder").click();
  await p.keyboard.type("debit");
  const hit = p.getByRole("dialog").getByText("Debit coins");
  await hit.first().waitFor({ timeout: 5000 });
  await hit.first().click();
  // The operation's request sample and one of its documented refusals.
  await p.getByText("Redeemed: free coffee").first().waitFor({ timeout: 5000 });
  assert.ok(await p.getByText("insufficient_balance").count(), "the debit's errors are listed");
  await p.screenshot({ path: join(ARTIFACTS, "api-docs.png") });

  assert.deepEqual(elsewhere, [], "no request leaves the Worker's origin (no CDN, fonts or telemetry)");
  assert.deepEqual(errors, []);
  await p.close();
});

test("/docs and its renderer are cached, and the page is the Worker's answer (step 0 runs there)", async () => {
  const page = await fetch(`${EDGE}/docs`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type"), /text\/html/);
  const html = await page.text();
  const src = html.match(/src="(\/docs-assets\/scalar\.[0-9a-f]{12}\.js)"/)?.[1];
  assert.ok(src, "the renderer has a content-hashed name");
  const js = await fetch(`${EDGE}${src}`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get("cache-control"), /immutable/);
  assert.ok(page.headers.get("x-request-id"), "answered by the Worker, not straight from the assets");
});
