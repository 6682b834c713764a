// The storefront widget in real headless Chromium, against the real Worker under wrangler dev.
// The storefront pages are served from a second origin (another port), so the browser sends
// real cross-origin Origin and Sec-Fetch-* headers: the honest test of the verifier.
// Run by scripts/e2e.sh (make test), which sets TALLY_BASE_URL and TALLY_DEMO_STATE.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import jwt from "jsonwebtoken";

const EDGE = process.env.TALLY_BASE_URL;
assert.ok(EDGE, "TALLY_BASE_URL is not set: run these tests with `make test`");
const demo = JSON.parse(readFileSync(process.env.TALLY_DEMO_STATE, "utf8"));
const ARTIFACTS = join(process.cwd(), "test-artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

const HOSTILE_CSS = `
  * { font-family: "Comic Sans MS", cursive !important; color: #c00 !important; line-height: 3 !important;
      font-size: 40px !important; display: inline !important; padding: 30px !important; }
  tally-wallet { all: unset !important; }`;

const page = (snippet, script = "", lang = "en") => `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<script async type="module" src="${EDGE}/embed.js"></script><style>${HOSTILE_CSS}</style></head>
<body><h1>A storefront</h1>${snippet}<script type="module">${script}</script></body></html>`;

const wallet = (key, token = demo.customer_token) =>
  `<tally-wallet workspace="${demo.workspace_id}" key="${key}" customer-token="${token}"></tally-wallet>`;

const PAGES = {
  "/ok.html": page(wallet(demo.publishable_key)),
  "/secret.html": page(wallet(demo.secret_key)),
  "/signed-out.html": page(`<tally-wallet workspace="${demo.workspace_id}" key="${demo.publishable_key}" sign-in-text="Log in for your coins"></tally-wallet>`),
  ...Object.fromEntries(["en_US", "", "de-DE", "fr-CA", "ar"].map((l) => [`/lang-${l}.html`, page(wallet(demo.publishable_key), "", l)])),
  "/attack.html": page("", `
    window.attack = fetch("${EDGE}/v1/customers/${demo.customer_id}/coins/debit", {
      method: "POST",
      headers: { authorization: "Bearer ${demo.secret_key}", "x-workspace-id": "${demo.workspace_id}",
                 "idempotency-key": "browser-attack", "content-type": "application/json" },
      body: JSON.stringify({ amount: 1 }),
    }).then((r) => "status " + r.status, (e) => e.name);`),
};

let server, storefront, context;

async function balance() {
  const r = await fetch(`${EDGE}/v1/customers/${demo.customer_id}/coins`, {
    headers: { authorization: `Bearer ${demo.secret_key}`, "x-workspace-id": demo.workspace_id },
  });
  assert.equal(r.status, 200);
  return (await r.json()).balance;
}

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    // A page whose server minted the token it renders (the read-your-writes test).
    const body = url.pathname === "/with-token.html"
      ? page(wallet(demo.publishable_key, url.searchParams.get("t")))
      : PAGES[url.pathname];
    res.writeHead(body ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
    res.end(body ?? "not found");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  storefront = `http://127.0.0.1:${server.address().port}`;
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "tally-chromium-")), {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
    viewport: { width: 1100, height: 800 },
  });
});

after(async () => {
  await context?.close();
  server?.close();
});

test("the balance and referral link appear on a storefront of another origin", async () => {
  const p = await context.newPage();
  const widgetCalls = [];
  p.on("request", (r) => r.url().includes("/v1/widget") && widgetCalls.push(r));
  const expected = await balance();
  await p.goto(`${storefront}/ok.html`);
  const amount = p.locator("tally-wallet .balance");
  await amount.waitFor({ timeout: 15000 });
  assert.match(await amount.innerText(), new RegExp(expected.toLocaleString("en")));
  assert.match(await amount.innerText(), /coins/);
  assert.match(await p.locator("tally-wallet output").innerText(), /\?ref=[0-9A-Z]{10}$/);
  assert.equal(widgetCalls.length, 1, "one request gives everything the widget shows");
  const headers = await widgetCalls[0].allHeaders();
  assert.equal(headers.origin, storefront, "the browser sent the storefront's origin");
  assert.equal(widgetCalls[0].method(), "GET");
  assert.equal(headers.authorization, undefined, "no header-borne key");
  await p.screenshot({ path: join(ARTIFACTS, "storefront-widget.png"), fullPage: true });
  await p.close();
});

test("the widget survives the storefront's CSS and never shifts the layout", async () => {
  const p = await context.newPage();
  await p.addInitScript(() => {
    window.__cls = 0;
    new PerformanceObserver((l) => l.getEntries().forEach((e) => { if (!e.hadRecentInput) window.__cls += e.value; }))
      .observe({ type: "layout-shift", buffered: true });
  });
  await p.goto(`${storefront}/ok.html`);
  await p.locator("tally-wallet .balance").waitFor({ timeout: 15000 });
  const style = await p.locator("tally-wallet .balance").evaluate((el) => {
    const s = getComputedStyle(el);
    return { font: s.fontFamily, size: s.fontSize, color: s.color };
  });
  assert.doesNotMatch(style.font, /Comic/);
  assert.equal(style.size, "28px");
  assert.notEqual(style.color, "rgb(204, 0, 0)");
  const box = await p.locator("tally-wallet .card").boundingBox();
  assert.equal(Math.round(box.height), 172);
  await p.waitForTimeout(300);
  assert.equal(await p.evaluate(() => window.__cls), 0, "cumulative layout shift");
  await p.close();
});

test("after a write, the next page shows it: the widget asks for the version it saw, the token for the merchant's", async () => {
  const p = await context.newPage();
  const calls = [];
  p.on("request", (r) => r.url().includes("/v1/widget") && calls.push(r.url()));
  await p.goto(`${storefront}/ok.html`);
  await p.locator("tally-wallet .balance").waitFor({ timeout: 15000 });
  const slot = `tally.v:${demo.workspace_id}`;
  const [seen, who] = (await p.evaluate((k) => localStorage.getItem(k), slot)).split("\n");
  assert.equal(who, demo.customer_id);
  assert.match(seen, /^[0-9]+$/);
  // The merchant's backend credits the shopper and mints the next page's token with the
  // version its write answered.
  const credit = await fetch(`${EDGE}/v1/customers/${demo.customer_id}/coins/credit`, {
    method: "POST",
    headers: { authorization: `Bearer ${demo.secret_key}`, "x-workspace-id": demo.workspace_id,
               "content-type": "application/json", "idempotency-key": `ryw-${Date.now()}` },
    body: JSON.stringify({ amount: 7, reason: "Order #2001" }),
  });
  assert.equal(credit.status, 200);
  const { balance: after, version } = await credit.json();
  assert.ok(version > Number(seen), `${version} after ${seen}`);
  const t = jwt.sign({ sub: demo.customer_id, v: version, exp: Math.floor(Date.now() / 1000) + 600 }, demo.identity_secret);
  calls.length = 0;
  await p.goto(`${storefront}/with-token.html?t=${t}`);
  const amount = p.locator("tally-wallet .balance");
  await amount.waitFor({ timeout: 15000 });
  assert.equal((await amount.evaluate((e) => e.firstChild.textContent)).trim(), after.toLocaleString("en"));
  assert.ok(calls[0].includes(`&v=${seen}`), `the widget asked for at least ${seen}: ${calls[0]}`);
  assert.equal((await p.evaluate((k) => localStorage.getItem(k), slot)).split("\n")[0], String(version));
  await p.close();
});

test("a secret key in the snippet shows a configuration error and is never sent", async () => {
  const p = await context.newPage();
  const errors = [];
  const sent = [];
  p.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  p.on("request", (r) => r.url().includes(demo.secret_key.slice(8)) && sent.push(r.url()));
  await p.goto(`${storefront}/secret.html`);
  await p.locator("tally-wallet .err").waitFor({ timeout: 15000 });
  assert.match(await p.locator("tally-wallet .err").innerText(), /not set up correctly/);
  assert.ok(errors.some((e) => /a secret key is in this page's <tally-wallet key>.*roll the secret key/.test(e)), errors.join("\n"));
  assert.deepEqual(sent, [], "no request carried the secret key");
  assert.ok(!errors.some((e) => e.includes(demo.secret_key)), "the console message does not repeat the key");
  await p.close();
});

test("a storefront script using a secret key is refused by the browser and by the edge", async () => {
  const before = await balance();
  // Cross-origin: the preflight never allows Authorization, so the browser refuses to send it.
  const p = await context.newPage();
  await p.goto(`${storefront}/attack.html`);
  assert.equal(await p.evaluate(() => window.attack), "TypeError");
  // Same origin as the edge (no preflight): the real browser's Sec-Fetch-Site reaches the
  // verifier, which refuses the secret key before touching the ledger.
  await p.goto(`${EDGE}/`);
  const answer = await p.evaluate(async ([key, ws, cid]) => {
    const r = await fetch(`/v1/customers/${cid}/coins/debit`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "x-workspace-id": ws, "idempotency-key": "same-origin-attack", "content-type": "application/json" },
      body: JSON.stringify({ amount: 1 }),
    });
    return [r.status, (await r.json()).error?.code];
  }, [demo.secret_key, demo.workspace_id, demo.customer_id]);
  assert.deepEqual(answer, [403, "secret_key_in_browser"]);
  assert.equal(await balance(), before, "the balance is unchanged");
  await p.close();
});

test("a shopper who is not signed in sees the merchant's sign-in text, and the widget follows its attributes", async () => {
  const p = await context.newPage();
  await p.goto(`${storefront}/signed-out.html`);
  const note = p.locator("tally-wallet .note");
  await note.waitFor({ timeout: 15000 });
  assert.match(await note.innerText(), /Log in for your coins/);
  await p.evaluate((t) => document.querySelector("tally-wallet").setAttribute("customer-token", t), demo.customer_token);
  await p.locator("tally-wallet .balance").waitFor({ timeout: 15000 });
  // Expired two minutes ago (past the 60 s leeway), signed as a merchant's Node backend would.
  const expired = jwt.sign({ sub: demo.customer_id, exp: Math.floor(Date.now() / 1000) - 120 }, demo.identity_secret);
  await p.evaluate((t) => document.querySelector("tally-wallet").setAttribute("customer-token", t), expired);
  await p.locator("tally-wallet .note").waitFor({ timeout: 15000 });
  assert.match(await p.locator("tally-wallet .note").innerText(), /session has ended/);
  await p.close();
});

test("copy puts the referral link on the clipboard and says so", async () => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: storefront });
  const p = await context.newPage();
  await p.goto(`${storefront}/ok.html`);
  await p.locator("tally-wallet .balance").waitFor({ timeout: 15000 });
  const link = await p.locator("tally-wallet output").innerText();
  await p.locator("tally-wallet button", { hasText: "Copy" }).focus();
  await p.keyboard.press("Enter");
  await p.locator("tally-wallet [aria-live=polite]", { hasText: "Link copied" }).waitFor({ timeout: 5000 });
  assert.equal(await p.evaluate(() => navigator.clipboard.readText()), link);
  await p.close();
});

test("the balance refreshes when the tab regains focus, without a reload", async () => {
  const p = await context.newPage();
  await p.goto(`${storefront}/ok.html`);
  const amount = p.locator("tally-wallet .balance");
  await amount.waitFor({ timeout: 15000 });
  const before = await balance();
  const credit = await fetch(`${EDGE}/v1/customers/${demo.customer_id}/coins/credit`, {
    method: "POST",
    headers: { authorization: `Bearer ${demo.secret_key}`, "x-workspace-id": demo.workspace_id,
               "idempotency-key": `focus-${Date.now()}`, "content-type": "application/json" },
    body: JSON.stringify({ amount: 7, reason: "focus test" }),
  });
  assert.equal(credit.status, 200);
  const after = (before + 7).toLocaleString("en");
  // Refreshes are at most one every 2 s; then the shopper comes back to the tab.
  await p.waitForTimeout(2100);
  await p.evaluate(() => window.dispatchEvent(new Event("focus")));
  await p.locator("tally-wallet .balance", { hasText: after }).waitFor({ timeout: 5000 });
  await p.close();
});

// The shopper's language: the page's `lang` (normalised, or skipped when invalid), then the
// browser's. Numbers and plurals come from the browser's Intl; Arabic is laid out right to
// left with the link left to right; the card keeps its size (no layout shift) in each.
for (const [lang, locale, greeting, dir] of [
  ["en_US", "en-US", /^Hi /, "ltr"],
  ["", "en-US", /^Hi /, "ltr"],
  ["de-DE", "de-DE", /^Hallo /, "ltr"],
  ["fr-CA", "fr-CA", /^Bonjour /, "ltr"],
  ["ar", "ar", /^مرحبًا /, "rtl"],
]) {
  test(`<html lang="${lang}">: the wallet speaks ${locale}`, async () => {
    const p = await context.newPage();
    await p.addInitScript(() => {
      window.__cls = 0;
      new PerformanceObserver((l) => l.getEntries().forEach((e) => { if (!e.hadRecentInput) window.__cls += e.value; }))
        .observe({ type: "layout-shift", buffered: true });
    });
    const errors = [];
    p.on("pageerror", (e) => errors.push(String(e)));
    const widgetCalls = [];
    p.on("request", (r) => r.url().includes("/v1/widget") && widgetCalls.push(r.url()));
    const catalogs = [];
    p.on("request", (r) => r.url().includes("/i18n/") && catalogs.push(r.url()));
    const expected = await balance();
    await p.goto(`${storefront}/lang-${lang}.html`);
    const amount = p.locator("tally-wallet .balance");
    await amount.waitFor({ timeout: 15000 });
    assert.equal((await amount.evaluate((e) => e.firstChild.textContent)).trim(),
      new Intl.NumberFormat(locale).format(expected));
    // The demo shopper's cashback (12.50 EUR) and stamp card (4 of 6), in this language, in
    // the same card of the same size.
    const euros = new Intl.NumberFormat(locale, { style: "currency", currency: "EUR" }).format(12.5);
    assert.ok((await amount.innerText()).includes(euros), `${await amount.innerText()} shows ${euros}`);
    const stamps = p.locator("tally-wallet .stamps");
    assert.equal(await stamps.locator("i").count(), 6);
    assert.equal(await stamps.locator("i.f").count(), 4);
    assert.match(await stamps.innerText(), /A free coffee/);
    assert.match(await p.locator("tally-wallet .hello").innerText(), greeting);
    const mount = p.locator("tally-wallet .mount");
    assert.equal(await mount.getAttribute("dir"), dir);
    assert.equal(await p.locator("tally-wallet output").getAttribute("dir"), "ltr", "the link reads left to right");
    const box = await p.locator("tally-wallet .card").boundingBox();
    assert.equal(Math.round(box.height), 172);
    assert.equal(catalogs.length, locale.startsWith("en") ? 0 : 1, "English is built in; others one small file");
    assert.equal(widgetCalls.length, 1, "one data request in every language");
    await p.waitForTimeout(300);
    assert.equal(await p.evaluate(() => window.__cls), 0, "no layout shift in any language");
    assert.deepEqual(errors, []);
    await p.screenshot({ path: join(ARTIFACTS, `widget-lang-${lang || "empty"}.png`) });
    await p.close();
  });
}

test("the demo storefront at / shows the demo shopper's wallet, as a newcomer sees it", async () => {
  const p = await context.newPage();
  await p.goto(`${EDGE}/`);
  const amount = p.locator("tally-wallet .balance");
  await amount.waitFor({ timeout: 15000 });
  assert.match(await amount.innerText(), new RegExp((await balance()).toLocaleString("en")));
  assert.match(await p.locator("tally-wallet .hello").innerText(), /Ada Lovelace/);
  // The page's hostile CSS is really there, and does not reach inside the widget.
  assert.match(await p.locator("h1").evaluate((el) => getComputedStyle(el).fontFamily), /Comic Sans|Chalkboard|cursive/);
  assert.doesNotMatch(await amount.evaluate((el) => getComputedStyle(el).fontFamily), /Comic Sans|Chalkboard|cursive/);
  await p.screenshot({ path: join(ARTIFACTS, "demo-storefront.png") });
  await p.close();
});
