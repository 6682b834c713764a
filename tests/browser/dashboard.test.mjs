// The merchant dashboard in real headless Chromium against the real Worker: sign in, the
// keys, creating a key behind the PIN and copying it the one time it is shown, what a
// developer may not do, and axe-core on every page (0 serious or critical violations), with
// screenshots at 1280 and 375 px. Run by scripts/e2e.sh (make test).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { createServer } from "node:http";
import { chromium } from "playwright-core";

const EDGE = process.env.TALLY_BASE_URL;
assert.ok(EDGE, "TALLY_BASE_URL is not set: run these tests with `make test`");
const demo = JSON.parse(readFileSync(process.env.TALLY_DEMO_STATE, "utf8"));
// The seeded fixtures (a pending workspace's owner); absent when run against `make dev`.
const fixtures = process.env.TALLY_FIXTURES ? JSON.parse(readFileSync(process.env.TALLY_FIXTURES, "utf8")) : null;
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

/// Opens `start` signed out, signs in on the page it sends to, and comes back to `start`.
async function signIn(p, email, password, start = "/dashboard/keys") {
  await p.goto(`${EDGE}${start}`);
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
  await p.emulateMedia({ colorScheme: "dark" });
  await accessible(p, "keys, dark");
  await screenshots(p, "keys-dark");
  await p.emulateMedia({ colorScheme: "light" });
  assert.deepEqual(p.errors, []);
  await p.context().close();
  // The page runs its own scripts only, same-origin calls only, and is never framed.
  const page = await fetch(`${EDGE}/dashboard/keys`);
  const csp = page.headers.get("content-security-policy") ?? "";
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.ok(page.headers.get("x-request-id"), "answered by the Worker");
});

test("a session that ends while the dashboard is open sends the member to sign in, and back", async () => {
  const p = await newPage();
  await signIn(p, demo.admin_email, demo.admin_password, "/dashboard/keys");
  await p.getByRole("heading", { name: "API keys" }).waitFor();
  // The session ends elsewhere (expiry, sign-out on another tab): the cookie is gone.
  await p.context().clearCookies();
  await p.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Audit log" }).click();
  await p.waitForURL(/\/dashboard\/sign-in$/);
  await p.getByText("Your session has ended. Sign in again", { exact: false }).waitFor();
  await p.getByLabel("Email").fill(demo.admin_email);
  await p.getByLabel("Password").fill(demo.admin_password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL(/\/dashboard\/audit$/);
  await p.getByRole("heading", { name: "Audit log" }).waitFor();
  assert.deepEqual(p.errors, []);
  await p.context().close();
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
  await dialog.getByText(/The PIN is not correct; \d attempts left/).waitFor({ timeout: 10000 });
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

  // Straight into the storefront snippet, and the real widget previewed with it.
  await dialog.getByRole("button", { name: "Use in the storefront snippet" }).click();
  await p.waitForURL(/\/dashboard\/integration$/);
  const snippet = await p.locator("#storefront-snippet").innerText();
  assert.ok(snippet.includes(`key="${shown}"`) && snippet.includes(`workspace="${demo.workspace_id}"`), snippet);
  assert.ok(snippet.includes(`src="${EDGE}/embed.js"`), snippet);
  await p.getByLabel("Test shopper's customer id").fill(demo.customer_id);
  await p.getByRole("button", { name: "Preview" }).click();
  const amount = p.locator(".preview-frame tally-wallet .balance");
  await amount.waitFor({ timeout: 15000 });
  assert.match(await amount.innerText(), /coins/);
  await accessible(p, "integration");
  await screenshots(p, "integration");
  // A secret key pasted here is called out, never filled in.
  await p.getByLabel("Publishable key").fill(demo.secret_key);
  await p.getByText("That is a secret key.", { exact: false }).waitFor();
  assert.ok(!(await p.locator("#storefront-snippet").innerText()).includes(demo.secret_key));
  // Each server snippet is one click away, with its copy button.
  for (const lang of ["Node.js", "Python", "PHP", "Rust", "curl"]) {
    await p.getByRole("group", { name: "Language" }).getByRole("button", { name: lang }).click();
    await p.getByRole("button", { name: `Copy the ${lang} snippet` }).waitFor();
    assert.match(await p.locator("code.snippet").innerText(), /TALLY_SECRET_KEY/);
  }
  await p.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "API keys" }).click();
  const row = p.locator("tr", { hasText: name });
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(`${shown.slice(0, 8)}…${shown.slice(-4)}`));
  assert.ok(!(await p.content()).includes(shown), "the plaintext is gone from the page");
  await p.reload();
  await p.locator("tr", { hasText: name }).waitFor();
  assert.ok(!(await p.content()).includes(shown));
  // Edited: its description and the origins it may be used from.
  await p.getByRole("button", { name: `Edit ${name}` }).click();
  const edit = p.getByRole("dialog", { name: `Edit ${name}` });
  await edit.getByLabel("What it is for").fill("Balance on the storefront");
  await edit.getByLabel(/Allowed origins/).fill("https://shop.example\nhttps://*.shop.example");
  await edit.getByRole("button", { name: "Save" }).click();
  await p.locator("tr", { hasText: name }).getByText("Balance on the storefront").waitFor();
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
  await p.reload();
  await p.locator("tr", { hasText: redacted(first) }).waitFor();
  assert.ok(!(await p.content()).includes(first), "after a reload, only redacted");

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

test("a developer lands on the overview, is offered no key page and is told why", async () => {
  const p = await newPage();
  await signIn(p, demo.developer_email, demo.developer_password, "/dashboard");
  await p.waitForURL(/\/dashboard\/overview$/);
  const nav = p.getByRole("navigation", { name: "Dashboard" });
  assert.equal(await nav.getByRole("link", { name: "API keys" }).count(), 0);
  assert.equal(await nav.getByRole("link", { name: "Members" }).count(), 0);
  assert.equal(await nav.getByRole("link", { name: "Claims" }).count(), 0, "deciding claims is for admins");
  // The programs are shown, not changeable.
  await nav.getByRole("link", { name: "Programs" }).click();
  await p.getByRole("row", { name: /Coffee card/ }).first().waitFor();
  assert.ok(await p.getByRole("button", { name: "Add card" }).isDisabled());
  assert.ok(await p.getByRole("checkbox", { name: /^Stamp cards/ }).isDisabled());
  assert.ok(await p.getByRole("button", { name: "Edit Coffee card" }).isDisabled());
  await nav.getByRole("link", { name: "Exposures" }).click();
  // No roll button for a role that may not manage keys, and the setting is not theirs.
  await p.getByText("Only admins and superadmins change this.").waitFor();
  assert.ok(await p.getByLabel("Alert only").isDisabled(), "the setting is shown, not changeable");
  assert.equal(await p.getByRole("button", { name: /^Roll / }).count(), 0);
  // A link to the keys page says why there is nothing, and offers no action.
  await p.goto(`${EDGE}/dashboard/keys`);
  await p.getByText("Your role (developer) cannot see this page.", { exact: false }).waitFor();
  assert.equal(await p.getByRole("button", { name: "Create key" }).count(), 0);
  await accessible(p, "keys as developer");
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test("the overview charts the last 30 days from counters the edge keeps as requests happen", async () => {
  // A credit of 37 coins from a server, today.
  const headers = { authorization: `Bearer ${demo.secret_key}`, "x-workspace-id": demo.workspace_id, "content-type": "application/json" };
  const credit = await fetch(`${EDGE}/v1/customers/${demo.customer_id}/coins/credit`, {
    method: "POST", headers: { ...headers, "idempotency-key": `overview-${Date.now()}` }, body: JSON.stringify({ amount: 37, reason: "Overview test" }),
  });
  assert.equal(credit.status, 200);
  // A publishable key without the shopper's token: refused, and counted for the workspace.
  const refused = await fetch(`${EDGE}/v1/customers/${demo.customer_id}/coins?ws=${demo.workspace_id}&key=${demo.publishable_key}`);
  assert.equal(refused.status, 401);
  const p = await newPage();
  await signIn(p, demo.admin_email, demo.admin_password, "/dashboard");
  await p.waitForURL(/\/dashboard\/overview$/);
  const number = async (label) => Number(await p.locator(".cards li", { hasText: label }).locator("strong").innerText());
  // The counters are written off the response path: give them a moment.
  for (let i = 0; i < 20 && (await number("Coins credited").catch(() => 0)) < 37; i++) {
    await new Promise((r) => setTimeout(r, 500));
    await p.reload();
    await p.locator(".cards").waitFor();
  }
  assert.ok((await number("Coins credited")) >= 37, "today's credit is counted");
  assert.ok((await number("Requests")) >= 2);
  for (const title of ["Requests by outcome", "Coins", "Exposures"]) {
    const chart = p.locator("figure", { has: p.getByRole("heading", { name: title, exact: true }) });
    assert.match(await chart.getByRole("img").getAttribute("aria-label"), new RegExp(`^${title}, last 30 days: `));
  }
  const requests = p.locator("figure", { has: p.getByRole("heading", { name: "Requests by outcome" }) });
  assert.ok((await requests.locator("rect").count()) >= 1, "today has a bar");
  await requests.getByText("Show the numbers").click();
  const today = new Date().toISOString().slice(0, 10);
  const row = requests.locator("tr", { has: p.getByRole("rowheader", { name: today }) });
  const [ok, denied] = (await row.locator("td").allInnerTexts()).map(Number);
  assert.ok(ok >= 1 && denied >= 1, `today: ${ok} succeeded, ${denied} refused`);
  await accessible(p, "overview");
  await screenshots(p, "overview");
  // Dark mode follows the system, with the same contrast.
  await p.emulateMedia({ colorScheme: "dark" });
  await accessible(p, "overview, dark");
  await screenshots(p, "overview-dark");
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test("a secret key used from a browser appears in the exposures and is rolled from its row", async () => {
  const p = await newPage();
  await signIn(p, demo.admin_email, demo.admin_password);
  await p.getByRole("heading", { name: "API keys" }).waitFor();
  const name = `Leaky ${Date.now()}`;
  await p.getByRole("button", { name: "Create key" }).click();
  let dialog = p.getByRole("dialog");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel(/Full access/).check();
  await dialog.getByLabel("Your PIN").fill(demo.admin_pin);
  await dialog.getByRole("button", { name: "Create key" }).click();
  const leaked = await dialog.locator("input.secret").inputValue();
  await dialog.getByRole("button", { name: "Done" }).click();

  // A page's script sends it: the real browser's Sec-Fetch-Site reaches the verifier.
  const shop = await p.context().newPage();
  await shop.goto(`${EDGE}/`);
  const answer = await shop.evaluate(async ([key, ws, cid]) => {
    const r = await fetch(`/v1/customers/${cid}/coins`, { headers: { authorization: `Bearer ${key}`, "x-workspace-id": ws } });
    return [r.status, (await r.json()).error?.code];
  }, [leaked, demo.workspace_id, demo.customer_id]);
  assert.deepEqual(answer, [403, "secret_key_in_browser"]);
  await shop.close();

  await p.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Exposures" }).click();
  const row = p.locator("tr", { hasText: name });
  await row.waitFor({ timeout: 10000 });
  assert.match(await row.innerText(), /From a browser/);
  assert.ok(!(await p.content()).includes(leaked), "the page shows the key redacted only");
  await accessible(p, "exposures");
  await screenshots(p, "exposures");
  await row.getByRole("button", { name: `Roll ${name}` }).click();
  dialog = p.getByRole("dialog", { name: `Roll ${name}` });
  await dialog.getByLabel("Now").check();
  await dialog.getByLabel("Your PIN").fill(demo.admin_pin);
  await dialog.getByRole("button", { name: "Roll key" }).click();
  dialog = p.getByRole("dialog", { name: "Copy the new key now" });
  const fresh = await dialog.locator("input.secret").inputValue();
  assert.match(fresh, /^test_sk_/);
  await dialog.getByRole("button", { name: "Done" }).click();
  await row.getByText("Rolled", { exact: false }).waitFor();
  const use = (key) => fetch(`${EDGE}/v1/customers/${demo.customer_id}/coins`, { headers: { authorization: `Bearer ${key}`, "x-workspace-id": demo.workspace_id } });
  assert.equal((await use(leaked)).status, 401, "the exposed key stops at once");
  assert.equal((await use(fresh)).status, 200, "its successor works from the server");

  // The request log shows the refusal; its filters live in the address.
  await p.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Request log" }).click();
  await p.getByLabel("Status").selectOption("403");
  await p.waitForURL(/status=403/);
  await p.locator("tr", { hasText: "secret_key_in_browser" }).first().waitFor({ timeout: 10000 });
  await p.reload();
  assert.equal(await p.getByLabel("Status").inputValue(), "403");
  await p.locator("tr", { hasText: "secret_key_in_browser" }).first().waitFor({ timeout: 10000 });
  assert.ok((await p.locator("tbody tr").allInnerTexts()).every((t) => /\b403\b/.test(t)), "only 403s");
  await accessible(p, "request log");
  await screenshots(p, "logs");
  // The audit log has the roll, by this member.
  await p.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Audit log" }).click();
  await p.locator("tr", { hasText: "keys.roll" }).first().waitFor({ timeout: 10000 });
  assert.match(await p.locator("tr", { hasText: "keys.roll" }).first().innerText(), new RegExp(demo.admin_email));
  await accessible(p, "audit log");
  await screenshots(p, "audit");
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test("a superadmin invites a member; their wrong PINs lock PIN-guarded actions, and the lock is shown", async () => {
  const p = await newPage();
  await signIn(p, demo.admin_email, demo.admin_password);
  await p.getByRole("heading", { name: "API keys" }).waitFor();
  await p.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Members" }).click();
  await p.getByRole("button", { name: "Invite a member" }).click();
  let dialog = p.getByRole("dialog", { name: "Invite a member" });
  const email = `invited-${Date.now()}@demo.tally.test`;
  const password = "correct horse battery staple";
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Role").selectOption("admin");
  await dialog.getByLabel(/Initial password/).fill(password);
  await dialog.getByLabel(/Their PIN/).fill("24681357");
  await dialog.getByLabel("Your PIN").fill(demo.admin_pin);
  await accessible(p, "invite dialog");
  await dialog.getByRole("button", { name: "Invite" }).click();
  const row = p.locator("tr", { hasText: email });
  await row.waitFor({ timeout: 10000 });
  assert.match(await row.innerText(), /admin/);
  await accessible(p, "members");
  await screenshots(p, "members");

  // The new admin guesses PINs: each refusal says what is left, then the lock and its end.
  const q = await newPage();
  await signIn(q, email, password);
  await q.getByRole("heading", { name: "API keys" }).waitFor();
  await q.getByRole("button", { name: "Create key" }).click();
  const create = q.getByRole("dialog");
  await create.getByLabel("Name").fill("Never made");
  for (let i = 1; i <= 5; i++) {
    await create.getByLabel("Your PIN").fill(`1000000${i}`);
    await create.getByRole("button", { name: "Create key" }).click();
    await create.getByText(i < 5 ? `${5 - i} attempts left` : "now locked for 15 minutes", { exact: false }).waitFor({ timeout: 10000 });
  }
  await create.getByLabel("Your PIN").fill("24681357");
  await create.getByRole("button", { name: "Create key" }).click();
  await create.getByText(/locked until 20\d\d-/).waitFor({ timeout: 10000 });
  await q.context().close();

  // The superadmin sees the lock; then changes the role and removes the member.
  await p.reload();
  await row.getByText("Locked", { exact: false }).waitFor({ timeout: 10000 });
  await row.getByRole("button", { name: `Change role ${email}` }).click();
  dialog = p.getByRole("dialog", { name: `Change ${email}'s role` });
  await dialog.getByLabel("Role").selectOption("viewer");
  await dialog.getByLabel("Your PIN").fill(demo.admin_pin);
  await dialog.getByRole("button", { name: "Change role" }).click();
  await row.getByText("viewer").waitFor({ timeout: 10000 });
  await row.getByRole("button", { name: `Remove ${email}` }).click();
  dialog = p.getByRole("dialog", { name: `Remove ${email}` });
  await dialog.getByLabel("Your PIN").fill(demo.admin_pin);
  await dialog.getByRole("button", { name: "Remove member" }).click();
  await row.waitFor({ state: "detached", timeout: 10000 });
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test("a webhook endpoint: added with its events, its deliveries verified, redelivered, revealed, disabled and deleted", async () => {
  // A merchant's receiver on this machine: test endpoints may use http://127.0.0.1.
  const received = [];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${receiver.address().port}/hooks/${Date.now()}`;
  const p = await newPage();
  try {
    await signIn(p, demo.admin_email, demo.admin_password, "/dashboard/webhooks");
    await p.getByRole("heading", { name: "Webhooks" }).waitFor();
    await p.getByRole("button", { name: "Add endpoint" }).click();
    let dialog = p.getByRole("dialog", { name: "Add a test endpoint" });
    await dialog.getByLabel("URL").fill(url);
    await dialog.getByLabel("Description").fill("Order service");
    await dialog.getByLabel("coins.credited").check();
    await accessible(p, "add endpoint dialog");
    await dialog.getByRole("button", { name: "Add endpoint" }).click();
    dialog = p.getByRole("dialog", { name: "Signing secret" });
    const secret = await dialog.locator("#webhook-secret").inputValue();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    await dialog.getByRole("button", { name: "Done" }).click();
    const row = p.locator("tr", { hasText: url });
    await row.waitFor();
    assert.ok(!(await p.content()).includes(secret), "the secret is gone from the page");

    // An event happens; its delivery is signed with that secret, Standard Webhooks style.
    const credit = await fetch(`${EDGE}/v1/customers/${demo.customer_id}/coins/credit`, {
      method: "POST",
      headers: { authorization: `Bearer ${demo.secret_key}`, "x-workspace-id": demo.workspace_id, "content-type": "application/json", "idempotency-key": `hook-${Date.now()}` },
      body: JSON.stringify({ amount: 5 }),
    });
    assert.equal(credit.status, 200);
    for (let i = 0; i < 60 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 250));
    assert.equal(received.length, 1, "delivered once");
    const { Webhook } = createRequire(import.meta.url)("standardwebhooks");
    const event = new Webhook(secret.slice("whsec_".length)).verify(received[0].body, received[0].headers);
    assert.equal(event.type, "coins.credited");

    await row.getByRole("button", { name: `Deliveries of ${url}` }).click();
    const log = p.getByRole("region", { name: "Deliveries" });
    await log.getByText("Delivered (204)").waitFor({ timeout: 10000 });
    await accessible(p, "webhooks");
    await screenshots(p, "webhooks");
    await log.getByRole("button", { name: /^Redeliver / }).first().click();
    for (let i = 0; i < 60 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 250));
    assert.equal(received.length, 2, "redelivered");
    assert.equal(received[1].headers["webhook-id"], received[0].headers["webhook-id"], "the same event id");
    await log.getByRole("button", { name: "Refresh deliveries" }).click();
    await log.locator("ol.attempts li").nth(1).waitFor({ timeout: 10000 });

    // The secret again, behind the PIN.
    await row.getByRole("button", { name: `Signing secret ${url}` }).click();
    dialog = p.getByRole("dialog", { name: "Reveal the signing secret" });
    await dialog.getByLabel("Your PIN").fill(demo.admin_pin);
    await dialog.getByRole("button", { name: "Reveal" }).click();
    assert.equal(await p.locator("#webhook-secret").inputValue(), secret);
    await p.getByRole("button", { name: "Done" }).click();

    await row.getByRole("button", { name: `Disable ${url}` }).click();
    await row.getByText("Disabled").waitFor();
    await row.getByRole("button", { name: `Delete ${url}` }).click();
    await p.getByRole("dialog", { name: "Delete this endpoint" }).getByRole("button", { name: "Delete endpoint" }).click();
    await row.waitFor({ state: "detached" });
    assert.deepEqual(p.errors, []);
  } finally {
    await p.context().close();
    receiver.close();
  }
});

/// A call to the data plane with the demo's secret key, as a merchant's backend makes it.
async function backend(method, path, body) {
  const headers = { authorization: `Bearer ${demo.secret_key}`, "x-workspace-id": demo.workspace_id };
  if (body) Object.assign(headers, { "content-type": "application/json", "idempotency-key": `dash-${Date.now()}-${Math.random()}` });
  const r = await fetch(`${EDGE}${path}`, { method, headers, body: body && JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

test("programs: switched on in production, cards and rewards added and changed there, test untouched, a locked currency refused", async () => {
  const p = await newPage();
  const stamp = Date.now();
  try {
    await signIn(p, demo.admin_email, demo.admin_password, "/dashboard/programs");
    await p.getByRole("heading", { name: "Programs", level: 1 }).waitFor();
    // Test: the demo's Coffee card, its reward, cashback in euros.
    const coffee = p.getByRole("row", { name: /Coffee card/ }).first();
    await coffee.getByText(demo.card_id).waitFor();
    assert.ok(await p.getByRole("checkbox", { name: /^Stamp cards/ }).isChecked());
    assert.equal(await p.getByLabel("Cashback currency").inputValue(), "EUR");
    await p.getByText("EUR has 2 decimals", { exact: false }).waitFor();
    await p.getByText("6 stamps on Coffee card").waitFor();
    await accessible(p, "programs");
    await screenshots(p, "programs");
    // Cashback was paid in euros: the currency is fixed, and the page says why.
    await p.getByLabel("Cashback currency").selectOption("USD");
    await p.getByRole("button", { name: "Save programs" }).click();
    await p.getByText("it cannot change (amounts are never converted)", { exact: false }).waitFor();

    // Production: its own switches and catalogue.
    await p.getByRole("group", { name: "Environment" }).getByRole("button", { name: "Production" }).click();
    await p.getByRole("group", { name: "Programs (Production)" }).waitFor();
    await p.getByRole("region", { name: "Stamp cards" }).locator("table, p.empty").first().waitFor();
    assert.equal(await p.getByRole("row", { name: /Coffee card/ }).count(), 0, "test's cards stay in test");
    await p.getByRole("checkbox", { name: /^Stamp cards/ }).check();
    await p.getByRole("checkbox", { name: /^Cashback/ }).check();
    await p.getByLabel("Cashback currency").selectOption("JPY");
    await p.getByText("JPY has no minor unit", { exact: false }).waitFor();
    await p.getByRole("button", { name: "Save programs" }).click();
    await p.getByText("Saved.", { exact: false }).waitFor();

    const name = `Bakery card ${stamp}`;
    await p.getByRole("button", { name: "Add card" }).click();
    let dialog = p.getByRole("dialog", { name: "Add a stamp card" });
    await dialog.getByLabel("Name").fill(name);
    await dialog.getByLabel("Stamps to fill it").fill("8");
    await dialog.getByLabel("Reward when full").fill("A free pastry");
    await dialog.getByLabel("Stamps lapse after", { exact: false }).fill("90");
    await accessible(p, "add card dialog");
    await dialog.getByRole("button", { name: "Add card" }).click();
    const row = p.getByRole("row", { name: new RegExp(name) });
    await row.getByText("90 days after the shopper's last stamp").waitFor();
    await row.getByRole("button", { name: `Edit ${name}` }).click();
    dialog = p.getByRole("dialog", { name: "Change the stamp card" });
    assert.equal(await dialog.getByLabel("Stamps to fill it").inputValue(), "8");
    await dialog.getByLabel("Stamps to fill it").fill("10");
    await dialog.getByLabel("Stamps lapse after", { exact: false }).fill("");
    await dialog.getByLabel("Active", { exact: false }).uncheck();
    await dialog.getByRole("button", { name: "Save card" }).click();
    await row.getByText("Inactive").waitFor();
    assert.equal(await row.getByRole("cell").nth(1).innerText(), "10");
    await row.getByText("Never").waitFor();

    const reward = `Pastry ${stamp}`;
    await p.getByRole("button", { name: "Add reward" }).click();
    dialog = p.getByRole("dialog", { name: "Add a reward" });
    await dialog.getByLabel("Name").fill(reward);
    await dialog.getByLabel("Paid in").selectOption("stamps");
    await dialog.getByLabel("Card", { exact: true }).selectOption({ label: name });
    await dialog.getByLabel("Cost (stamps, 1 to 100)").fill("10");
    await accessible(p, "add reward dialog");
    await dialog.getByRole("button", { name: "Add reward" }).click();
    await p.getByRole("row", { name: new RegExp(reward) }).getByText(`10 stamps on ${name}`).waitFor();

    // A reload keeps all of it (and the environment).
    await p.reload();
    await p.getByRole("group", { name: "Programs (Production)" }).waitFor();
    await p.getByRole("row", { name: new RegExp(reward) }).waitFor();
    assert.ok(await p.getByRole("checkbox", { name: /^Stamp cards/ }).isChecked());
    assert.equal(await p.getByLabel("Cashback currency").inputValue(), "JPY");
    await screenshots(p, "programs-production");

    // Test is as it was: the data plane's catalogue has no bakery card.
    await p.getByRole("group", { name: "Environment" }).getByRole("button", { name: "Test" }).click();
    await p.getByRole("row", { name: /Coffee card/ }).first().waitFor();
    const cards = await backend("GET", "/v1/cards");
    assert.equal(cards.status, 200);
    assert.ok(cards.body.data.some((c) => c.id === demo.card_id));
    assert.ok(!cards.body.data.some((c) => c.name === name), "production's card is not in test");
    assert.deepEqual(p.errors, []);
  } finally {
    await p.context().close();
  }
});

test("claims: the queue shows the evidence; one approved once, one rejected with a reason, found again by the filter", async () => {
  const customer = `dash-claims-${Date.now()}`;
  const coins = await backend("POST", "/v1/claims", { customer_id: customer, program: "coins", amount: 40, evidence: { receipt: "R-1042", shop: "Main Street" } });
  assert.equal(coins.status, 201, JSON.stringify(coins.body));
  const stamps = await backend("POST", "/v1/claims", { customer_id: customer, program: "stamps", amount: 2, card_id: demo.card_id, evidence: { order: "A-77" } });
  assert.equal(stamps.status, 201, JSON.stringify(stamps.body));
  const p = await newPage();
  try {
    await signIn(p, demo.admin_email, demo.admin_password, "/dashboard/claims");
    await p.getByRole("heading", { name: "Claims", level: 1 }).waitFor();
    const first = p.getByRole("row", { name: new RegExp(coins.body.id) });
    await first.getByText("40 coins").waitFor();
    await first.getByText("R-1042").waitFor();
    const second = p.getByRole("row", { name: new RegExp(stamps.body.id) });
    await second.getByText("2 stamps on Coffee card").waitFor();
    await accessible(p, "claims");
    await screenshots(p, "claims");

    await first.getByRole("button", { name: `Approve ${coins.body.id}` }).click();
    await p.getByText(`Approved: 40 coins credited to ${customer}.`).waitFor();
    await first.waitFor({ state: "detached" });
    // Approving again (a retry, a second tab) answers the same approved claim and credits
    // nothing more.
    const again = await backend("POST", `/v1/claims/${coins.body.id}/approve`);
    assert.equal(again.status, 200);
    assert.equal(again.body.status, "approved");
    const balance = await backend("GET", `/v1/customers/${customer}/coins`);
    assert.equal(balance.body.balance, 40, "credited exactly once");

    await second.getByRole("button", { name: `Reject ${stamps.body.id}` }).click();
    const dialog = p.getByRole("dialog", { name: "Reject this claim" });
    await dialog.getByRole("button", { name: "Reject claim" }).click();
    assert.ok(await dialog.isVisible(), "a reason is required");
    await dialog.getByLabel("Reason", { exact: false }).fill("Order A-77 was stamped at the till.");
    await accessible(p, "reject dialog");
    await dialog.getByRole("button", { name: "Reject claim" }).click();
    await second.waitFor({ state: "detached" });

    await p.getByLabel("Status").selectOption("rejected");
    await p.waitForURL(/\/dashboard\/claims\?status=rejected$/);
    const rejected = p.getByRole("row", { name: new RegExp(stamps.body.id) });
    await rejected.getByText("Reason: Order A-77 was stamped at the till.").waitFor();
    await p.reload();
    await rejected.waitFor();
    assert.equal(await p.getByLabel("Status").inputValue(), "rejected");
    await p.getByLabel("Status").selectOption("all");
    await p.getByRole("row", { name: new RegExp(coins.body.id) }).getByText("approved").waitFor();
    const stampsNow = await backend("GET", `/v1/customers/${customer}/stamps`);
    assert.equal(stampsNow.body.data.find((c) => c.card_id === demo.card_id)?.count ?? 0, 0, "a rejected claim adds nothing");
    assert.deepEqual(p.errors, []);
  } finally {
    await p.context().close();
  }
});

test("a pending workspace offers production keys only once approved, and says so", { skip: !fixtures && "needs the seeded fixtures (make test)" }, async () => {
  const owner = fixtures.pending_owner;
  const p = await newPage();
  await signIn(p, owner.email, owner.password);
  await p.getByRole("heading", { name: "API keys" }).waitFor();
  await p.getByText("Pending approval").first().waitFor();
  await p.getByRole("button", { name: "Create key" }).click();
  const dialog = p.getByRole("dialog");
  assert.ok(await dialog.getByLabel(/Production/).isDisabled(), "production is not offered");
  await dialog.getByText("(after your workspace is approved)").waitFor();
  assert.ok(await dialog.getByLabel("Test", { exact: true }).isChecked());
  await accessible(p, "create dialog, pending workspace");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  // The header's switch shows production keys: none yet.
  await p.getByRole("group", { name: "Environment" }).getByRole("button", { name: "Production" }).click();
  await p.getByText("No production keys yet.", { exact: false }).waitFor();
  await p.getByRole("group", { name: "Environment" }).getByRole("button", { name: "Test" }).click();
  await p.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Workspace" }).click();
  await p.getByText("Production keys can be created once Tally approves this workspace", { exact: false }).waitFor();
  await accessible(p, "workspace");
  await screenshots(p, "workspace");
  // Signing out ends the session: a reload stays signed out.
  await p.getByRole("button", { name: "Sign out" }).click();
  await p.waitForURL(/\/dashboard\/sign-in$/);
  await p.goto(`${EDGE}/dashboard/keys`);
  await p.waitForURL(/\/dashboard\/sign-in$/);
  assert.deepEqual(p.errors, []);
  await p.context().close();
});
