// Shortens the names a wasm-bindgen module imports and exports, in the wasm and in its glue
// together: `node scripts/minify-wasm-names.mjs <dir> <name>` rewrites <dir>/<name>_bg.wasm
// and <dir>/<name>.js.
//
// wasm-bindgen names every import `__wbg_<function>_<16 hex digits>` and some exports after
// the full Rust path of a closure shim (200 characters). Each name is written twice, in the
// wasm and in the glue, and hex digits do not compress: for the storefront widget they were
// about 1.9 KB of its brotli transfer. binaryen's `--minify-imports-and-exports` renames them
// to one or two letters and prints the mapping; this script applies the same mapping to the
// glue, then checks that no long name is left on either side, so a glue that no longer
// matches its wasm fails the build here rather than in a shopper's browser.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir, name] = process.argv.slice(2);
if (!dir || !name) {
  console.error("usage: minify-wasm-names.mjs <dir> <name>");
  process.exit(2);
}
const root = new URL("..", import.meta.url).pathname;
const wasmPath = join(dir, `${name}_bg.wasm`);
const jsPath = join(dir, `${name}.js`);
const features = [
  "--enable-bulk-memory",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-reference-types",
];
const out = execFileSync(
  join(root, "node_modules/.bin/wasm-opt"),
  [wasmPath, "--minify-imports-and-exports-and-modules", ...features, "-o", wasmPath],
  { encoding: "utf8", maxBuffer: 64 << 20 },
);
const map = JSON.parse(out.slice(out.indexOf("{")));
const escape = (s) => s.replace(/[$.*+?^(){}|[\]\\]/g, "\\$&");
let js = readFileSync(jsPath, "utf8");
let renamed = 0;
const replace = (pattern, to) => {
  const before = js;
  js = js.replace(pattern, to);
  if (js !== before) renamed += 1;
};
// Imports are keys of the glue's import object: `__wbg_fetch_21015a0a4570ab44: function(…)`.
// Every one must be there: the wasm cannot start with an import its glue does not provide.
for (const [, from, to] of map.imports) {
  const before = renamed;
  replace(new RegExp(`(?<![\\w$])${escape(from)}(?=\\s*:)`, "g"), to);
  if (renamed === before) {
    console.error(`minify-wasm-names: ${jsPath} does not provide the import ${from}`);
    process.exit(1);
  }
}
// binaryen renames every import module to `a`: the glue's one module must become it.
const modules = new Set(map.imports.map(([module]) => module));
if (modules.size !== 1) {
  console.error(`minify-wasm-names: expected one import module, found ${[...modules].join(", ")}`);
  process.exit(1);
}
const [module] = modules;
const before = renamed;
replace(new RegExp(`"${escape(module)}"(?=\\s*:\\s*import0\\b)`, "g"), '"a"');
if (renamed === before) {
  console.error(`minify-wasm-names: ${jsPath} does not provide the module ${module}`);
  process.exit(1);
}
// Exports are read as `wasm.<name>`.
for (const [from, to] of map.exports) {
  replace(new RegExp(`(?<=\\bwasm\\.)${escape(from)}(?![\\w$])`, "g"), to);
}
const leftover = js.match(/__wbg_[A-Za-z0-9_]*_[0-9a-f]{16}\b|wasm\.wasm_bindgen_[A-Za-z0-9_]+/);
if (leftover) {
  console.error(`minify-wasm-names: ${jsPath} still names ${leftover[0]}`);
  process.exit(1);
}
writeFileSync(jsPath, js);
console.log(
  `    ${map.imports.length} imports and ${map.exports.length} exports renamed (${renamed} names in the glue)`,
);
