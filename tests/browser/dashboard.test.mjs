// The merchant dashboard in real headless Chromium against the real Worker: sign in, the
// keys, creating a key behind the PIN and copying it the one time it is shown, what a
// developer may not do, and axe-core on every page (0 serious or critical violations), with
// screenshots at 1280 and 375 px. Run by scripts/e2e.sh (make test).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const EDGE = process.env.TALLY_BASE_URL;
assert.ok(EDGE, "TALLY_BASE_URL is not set: run these tests with `make test`");
const demo = JSON.parse(readFileSync(process.env.TALLY_DEMO_STATE, "utf8"));
const ARTIFACTS = join(process.cwd(), "test-artifacts");
mkdirSync(ARTIFACTS, { recursive: true });
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
});
after(async () => browser?.close());

async function newPage(width = 1280) {
  // bypassCSP lets axe-core be injected; the policy itself is checked on the response.
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    permissions: ["clipboard-read", "clipboard-write"],
    bypassCSP: true,
  });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  return page;
}

async function signIn(p, email, password) {
  await p.goto(`${EDGE}/dashboard/keys`);
  await p.waitForURL(/\/dashboard\/sign-in$/);
  await p.getByLabel("Email").fill(email);
  await p.getByLabel("Password").fill(password);
  await p.getByRole("button", { name: "Sign in" }).click();
}

/// axe-core on the page as it is: no serious or critical violation.
async function accessible(p, what) {
  await p.addScriptTag({ content: AXE });
  const result = await p.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), [], `${what}: axe-core violations`);
}

async function screenshots(p, name) {
  for (const width of [1280, 375]) {
    await p.setViewportSize({ width, height: 900 });
    await p.screenshot({ path: join(ARTIFACTS, `dashboard-${name}-${width}.png`), fullPage: true });
  }
  await p.setViewportSize({ width: 1280, height: 900 });
}

test("sign-in refuses wrong credentials with a message, then lands on the keys", async () => {
  const p = await newPage();
  await p.goto(`${EDGE}/dashboard/keys`);
  await p.waitForURL(/\/dashboard\/sign-in$/);
  await accessible(p, "sign-in");
  await screenshots(p, "sign-in");
  await p.getByLabel("Email").fill(demo.admin_email);
  await p.getByLabel("Password").fill("not the password");
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByText("Email or password is incorrect.").waitFor({ timeout: 10000 });
  await p.getByLabel("Password").fill(demo.admin_password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL(/\/dashboard\/keys$/);
  await p.getByRole("heading", { name: "API keys" }).waitFor();
  // The header: the workspace, its id with a copy button, the member and role.
  await p.getByText(demo.workspace_id, { exact: true }).waitFor();
  assert.ok(await p.getByRole("button", { name: "Copy the workspace ID" }).isVisible());
  // The seeded keys, redacted: never a whole key on the page.
  const table = await p.locator("table").innerText();
  assert.match(table, new RegExp(`${demo.publishable_key.slice(0, 8)}…${demo.publishable_key.slice(-4)}`));
  assert.ok(!table.includes(demo.secret_key) && !table.includes(demo.publishable_key));
  // A reload stays on the page, signed in.
  await p.reload();
  await p.getByRole("heading", { name: "API keys" }).waitFor();
  await accessible(p, "keys");
  await screenshots(p, "keys");
  assert.deepEqual(p.errors, []);
  await p.context().close();
  // The page runs its own scripts only, same-origin calls only, and is never framed.
  const page = await fetch(`${EDGE}/dashboard/keys`);
  const csp = page.headers.get("content-security-policy") ?? "";
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.ok(page.headers.get("x-request-id"), "answered by the Worker");
});

test("a new key needs the PIN, is shown once with a copy button, then only redacted", async () => {
  const p = await newPage();
  await signIn(p, demo.admin_email, demo.admin_password);
  await p.getByRole("button", { name: "Create key" }).click();
  const dialog = p.getByRole("dialog");
  const name = `Dashboard test ${Date.now()}`;
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Your PIN").fill("000000");
  await dialog.getByRole("button", { name: "Create key" }).click();
  await dialog.getByText("That PIN is not correct.").waitFor({ timeout: 10000 });
  await accessible(p, "create-key dialog");
  await dialog.getByLabel("Your PIN").fill(demo.admin_pin);
  await dialog.getByRole("button", { name: "Create key" }).click();
  await dialog.getByText("You will not see it again.", { exact: false }).waitFor({ timeout: 10000 });
  const shown = await dialog.locator("input.secret").inputValue();
  assert.match(shown, /^test_pk_[0-9A-Za-z]{38}$/, "a read-only key is publishable");
  await screenshots(p, "key-created");
  await dialog.getByRole("button", { name: "Copy the new key" }).click();
  await dialog.getByText("Copied").waitFor();
  assert.equal(await p.evaluate(() => navigator.clipboard.readText()), shown);
  await dialog.getByRole("button", { name: "Done" }).click();
  const row = p.locator("tr", { hasText: name });
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(`${shown.slice(0, 8)}…${shown.slice(-4)}`));
  assert.ok(!(await p.content()).includes(shown), "the plaintext is gone from the page");
  await p.reload();
  await p.locator("tr", { hasText: name }).waitFor();
  assert.ok(!(await p.content()).includes(shown));
  // The key works: it reads the demo shopper's coins with a customer token.
  const r = await fetch(`${EDGE}/v1/customers/${demo.customer_id}/coins?ws=${demo.workspace_id}&key=${shown}&token=${demo.customer_token}`);
  assert.equal(r.status, 200);
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test("a secret key: shown once, rolled with an overlap, revoked and refused, deleted with the typed confirmation", async () => {
  const p = await newPage();
  await signIn(p, demo.admin_email, demo.admin_password);
  const name = `Backend ${Date.now()}`;
  await p.getByRole("button", { name: "Create key" }).click();
  let dialog = p.getByRole("dialog");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel(/Full access/).check();
  await dialog.getByLabel("Your PIN").fill(demo.admin_pin);
  await dialog.getByRole("button", { name: "Create key" }).click();
  const first = await dialog.locator("input.secret").inputValue();
  assert.match(first, /^test_sk_/, "full access makes a secret key");
  await dialog.getByRole("button", { name: "Done" }).click();
  const redacted = (k) => `${k.slice(0, 8)}…${k.slice(-4)}`;
  await p.locator("tr", { hasText: redacted(first) }).waitFor();

  // Roll with a one-hour overlap: both keys listed, both work.
  await p.getByRole("button", { name: `Roll ${name}` }).click();
  dialog = p.getByRole("dialog", { name: `Roll ${name}` });
  await dialog.getByLabel("1 hour").check();
  await dialog.getByLabel("Your PIN").fill(demo.admin_pin);
  await dialog.getByRole("button", { name: "Roll key" }).click();
  dialog = p.getByRole("dialog", { name: "Copy the new key now" });
  const second = await dialog.locator("input.secret").inputValue();
  assert.ok((await dialog.innerText()).includes(`The old key (${redacted(first)}) works until 20`), await dialog.innerText());
  await accessible(p, "roll reveal");
  await dialog.getByRole("button", { name: "Done" }).click();
  await p.locator("tr", { hasText: redacted(second) }).waitFor();
  await p.locator("tr", { hasText: redacted(first) }).waitFor();
  const use = (key) =>
    fetch(`${EDGE}/v1/customers/${demo.customer_id}/coins`, {
      headers: { authorization: `Bearer ${key}`, "x-workspace-id": demo.workspace_id },
    });
  assert.equal((await use(first)).status, 200, "the old key works during the overlap");
  assert.equal((await use(second)).status, 200);

  // Revoke the new one: refused from then on.
  await p.locator("tr", { hasText: redacted(second) }).getByRole("button", { name: `Revoke ${name}` }).click();
  await p.getByRole("dialog", { name: `Revoke ${name}` }).getByRole("button", { name: "Revoke key" }).click();
  await p.locator("tr", { hasText: redacted(second) }).getByText("revoked").waitFor();
  const refused = await use(second);
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).error.code, "revoked_api_key");

  // Delete the old one: the button waits for the name, then the PIN decides.
  await p.locator("tr", { hasText: redacted(first) }).getByRole("button", { name: `Delete ${name}` }).click();
  dialog = p.getByRole("dialog", { name: `Delete ${name}` });
  const confirm = dialog.getByRole("button", { name: "Delete this key" });
  assert.ok(await confirm.isDisabled());
  await dialog.getByLabel(/to confirm/).fill(name.slice(0, -1));
  assert.ok(await confirm.isDisabled(), "a near miss is not a confirmation");
  await dialog.getByLabel(/to confirm/).fill(name);
  await dialog.getByLabel("Your PIN").fill(demo.admin_pin);
  await accessible(p, "delete dialog");
  await screenshots(p, "delete");
  await confirm.click();
  await p.locator("tr", { hasText: redacted(first) }).waitFor({ state: "detached" });
  assert.equal((await use(first)).status, 401, "a deleted key is unknown");
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test("the identity secret is revealed behind the PIN and signs tokens a JWT library mints", async () => {
  const p = await newPage();
  await signIn(p, demo.admin_email, demo.admin_password);
  await p.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Identity secret" }).click();
  await p.getByRole("heading", { name: "Identity secret" }).waitFor();
  await p.getByRole("button", { name: "Reveal the Test secret" }).click();
  const dialog = p.getByRole("dialog", { name: "Reveal the identity secret" });
  await dialog.getByLabel("Your PIN").fill(demo.admin_pin);
  await dialog.getByRole("button", { name: "Reveal" }).click();
  const secret = await p.locator("#identity-secret").inputValue();
  assert.equal(secret, demo.identity_secret);
  await accessible(p, "identity secret");
  await screenshots(p, "identity");
  // The page's one line, run: a token from npm jsonwebtoken with the secret as shown.
  const jwt = createRequire(import.meta.url)("jsonwebtoken");
  const token = jwt.sign({ sub: demo.customer_id }, secret, { expiresIn: "1h" });
  const r = await fetch(`${EDGE}/v1/widget?ws=${demo.workspace_id}&key=${demo.publishable_key}&token=${token}`);
  assert.equal(r.status, 200);
  await p.getByRole("button", { name: "Done" }).click();
  assert.ok(!(await p.content()).includes(secret), "hidden again once closed");
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test("a developer is not offered key actions and is told why", async () => {
  const p = await newPage();
  await signIn(p, demo.developer_email, demo.developer_password);
  await p.getByRole("heading", { name: "API keys" }).waitFor();
  await p.getByText("Your role cannot do this. Ask an admin.").waitFor({ timeout: 10000 });
  assert.equal(await p.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "API keys" }).count(), 0);
  assert.ok(await p.getByRole("button", { name: "Create key" }).isDisabled());
  await accessible(p, "keys as developer");
  await p.context().close();
});
