// Assembles the static assets the Worker serves (run by scripts/build.sh, the wrangler
// [build] command):
//
//   build/assets      what `wrangler deploy` uploads: www/ plus the widget under
//                     content-hashed names, and embed.js (minified) pointing at them. The
//                     hashed files are served `immutable` for a year and embed.js for five
//                     minutes (www/_headers), so a deploy never mixes old glue with new wasm.
//                     Never the demo storefront or its credentials (www/.assetsignore, and
//                     they are not copied here at all).
//   build/assets-dev  the same plus the demo storefront (demo/), for `make dev`, the tests and
//                     the benchmarks (`wrangler dev --assets build/assets-dev`).
//
// Prints what it wrote. Fails when a file it needs is missing or embed.js no longer names
// the files it rewrites.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const at = (...p) => join(root, ...p);
const widget = at("build", "widget");

function fail(message) {
  console.error(`assets: ${message}`);
  process.exit(1);
}

function hashed(name, ext) {
  const file = join(widget, `${name}.${ext}`);
  if (!existsSync(file)) fail(`${file} is missing: run scripts/build-widget.sh first`);
  const bytes = readFileSync(file);
  const h = createHash("sha256").update(bytes).digest("hex").slice(0, 12);
  return { bytes, name: `${name}.${h}.${ext}` };
}

/// Every file under `dir`, as relative path → bytes.
function tree(dir, prefix = "") {
  const out = new Map();
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of tree(join(dir, e.name), rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(dir, e.name)));
  }
  return out;
}

/// Makes `dir` hold exactly `files`, touching only what differs: a Worker already serving
/// `dir` (another `wrangler dev`, the crash test's) never sees it disappear or change for nothing.
function sync(dir, files) {
  mkdirSync(dir, { recursive: true });
  const present = tree(dir);
  for (const [rel, bytes] of files) {
    if (!present.get(rel)?.equals(bytes)) {
      mkdirSync(join(dir, rel, ".."), { recursive: true });
      writeFileSync(join(dir, rel), bytes);
    }
  }
  for (const rel of present.keys()) if (!files.has(rel)) rmSync(join(dir, rel));
  console.log(`    ${dir.replace(root, "")}: ${[...files.keys()].filter((f) => !f.startsWith(".")).sort().join(", ")}`);
}

function assemble(dir, { demo }) {
  const files = new Map([...tree(at("www"))].filter(([rel]) => rel !== "embed.js"));
  const glue = hashed("tally_widget", "js");
  const wasm = hashed("tally_widget_bg", "wasm");
  files.set(`widget/${glue.name}`, glue.bytes);
  files.set(`widget/${wasm.name}`, wasm.bytes);
  // The OpenAPI document, minified; the Worker answers /v1/openapi.json with it (run_worker_first).
  files.set("v1/openapi.json", Buffer.from(JSON.stringify(JSON.parse(readFileSync(at("edge", "openapi.json"), "utf8")))));
  // /docs: the Worker answers it with v1/docs.html (so step 0 runs there too), which loads the
  // Scalar renderer (npm, pinned) from a content-hashed file served immutable.
  const scalarFile = at("node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js");
  if (!existsSync(scalarFile)) fail(`${scalarFile} is missing: run make setup (npm ci)`);
  const scalar = readFileSync(scalarFile);
  const scalarName = `scalar.${createHash("sha256").update(scalar).digest("hex").slice(0, 12)}.js`;
  files.set(`docs-assets/${scalarName}`, scalar);
  const docs = readFileSync(at("edge", "docs.html"), "utf8");
  if (!docs.includes('"/docs-assets/scalar.js"')) fail("edge/docs.html no longer loads /docs-assets/scalar.js");
  files.set("v1/docs.html", Buffer.from(docs.replace('"/docs-assets/scalar.js"', `"/docs-assets/${scalarName}"`)));

  // The widget's strings: English inlined into embed.js, every other language a
  // content-hashed file the loader fetches for shoppers who read it. Both as arrays in the
  // order of en.json's keys (the wasm asks by index: widget/src/i18n.rs), so no key name ships.
  const catalogs = {};
  const source = (lang) => JSON.parse(readFileSync(at("widget", "i18n", `${lang}.json`), "utf8"));
  const keys = Object.keys(source("en"));
  const english = JSON.stringify(keys.map((k) => source("en")[k]));
  for (const file of readdirSync(at("widget", "i18n")).sort()) {
    const lang = file.replace(/\.json$/, "");
    if (lang === "en") continue;
    const strings = source(lang);
    const extra = Object.keys(strings).filter((k) => !keys.includes(k));
    if (extra.length) fail(`widget/i18n/${file} has keys en.json lacks: ${extra.join(", ")}`);
    const json = Buffer.from(JSON.stringify(keys.map((k) => strings[k] ?? null)));
    const name = `i18n/${lang}.${createHash("sha256").update(json).digest("hex").slice(0, 8)}.json`;
    files.set(name, json);
    catalogs[lang] = name;
  }
  if (!english) fail("widget/i18n/en.json is missing");

  // The merchant dashboard: glue and wasm under content-hashed names, a boot module (also
  // hashed) that starts them, and the page, which only the Worker serves (as v1/dashboard.html,
  // at /dashboard and every /dashboard/… path, so step 0 runs there too).
  const board = (file) => {
    const p = at("build", "dashboard", file);
    if (!existsSync(p)) fail(`${p} is missing: run scripts/build-dashboard.sh first`);
    return readFileSync(p);
  };
  const hash8 = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 12);
  const boardGlue = board("tally_dashboard.js");
  const boardWasm = board("tally_dashboard_bg.wasm");
  const glueName = `dashboard-assets/dashboard.${hash8(boardGlue)}.js`;
  const wasmName = `dashboard-assets/dashboard_bg.${hash8(boardWasm)}.wasm`;
  files.set(glueName, boardGlue);
  files.set(wasmName, boardWasm);
  const boot = Buffer.from(
    `import init from "/${glueName}";\ninit({ module_or_path: "/${wasmName}" });\n`,
  );
  const bootName = `dashboard-assets/boot.${hash8(boot)}.js`;
  files.set(bootName, boot);
  // The server-side snippets the Integration page shows, fetched when it opens: one JSON
  // object of dashboard/snippets/*, by file name (tests/e2e/snippets.rs runs the same files).
  const snippets = {};
  for (const name of readdirSync(at("dashboard", "snippets")).sort()) {
    snippets[name] = readFileSync(at("dashboard", "snippets", name), "utf8");
  }
  const snippetBytes = Buffer.from(JSON.stringify(snippets));
  const snippetName = `dashboard-assets/snippets.${hash8(snippetBytes)}.json`;
  files.set(snippetName, snippetBytes);
  let page = readFileSync(at("dashboard", "index.html"), "utf8");
  for (const [from, to] of [
    ['"/dashboard-assets/boot.js"', `"/${bootName}"`],
    ['"/dashboard-assets/snippets.json"', `"/${snippetName}"`],
  ]) {
    if (!page.includes(from)) fail(`dashboard/index.html no longer names ${from}`);
    page = page.replace(from, to);
  }
  files.set("v1/dashboard.html", Buffer.from(page));

  let embed = readFileSync(at("www", "embed.js"), "utf8");
  for (const [from, to] of [
    ["widget/tally_widget.js", `widget/${glue.name}`],
    ["widget/tally_widget_bg.wasm", `widget/${wasm.name}`],
  ]) {
    if (!embed.includes(`"${from}"`)) fail(`www/embed.js no longer loads "${from}"`);
    embed = embed.replace(`"${from}"`, `"${to}"`);
  }
  for (const [from, to] of [
    ['"__TALLY_EN__"', english],
    ['"__TALLY_CATALOGS__"', JSON.stringify(catalogs)],
  ]) {
    if (!embed.includes(from)) fail(`www/embed.js no longer has ${from}`);
    embed = embed.replace(from, to);
  }
  files.set("embed.js", Buffer.from(transformSync(embed, { minify: true, format: "esm", target: "es2022" }).code));

  if (demo) {
    // The dev copy serves the demo storefront and its credentials; nothing is ignored but
    // build leftovers.
    for (const [rel, bytes] of tree(at("demo"))) files.set(rel, bytes);
    files.set(".assetsignore", Buffer.from("BUILT_WITH\n*.map\n"));
  }
  sync(dir, files);
}

assemble(at("build", "assets"), { demo: false });
assemble(at("build", "assets-dev"), { demo: true });
