// Trunk post-build hook: shrinks what every page downloads first, then updates
// the Subresource Integrity hashes in index.html, which Trunk computed before
// this hook ran.
// - The wasm and its JS glue share shorter names (see wasm-names.mjs).
// - The glue is minified (about 2 KB off the gzipped first paint).
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { minify } from "terser";
import { renameInGlue, shortenWasmNames } from "./wasm-names.mjs";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error("run by Trunk as a post_build hook (TRUNK_STAGING_DIR unset)");
const integrity = (content) => "sha384-" + createHash("sha384").update(content).digest("base64");

const htmlPath = join(dir, "index.html");
let html = readFileSync(htmlPath, "utf8");
const replaceIntegrity = (before, after, name) => {
  if (!html.includes(integrity(before))) throw new Error(`index.html has no integrity for ${name}`);
  html = html.replace(integrity(before), integrity(after));
};
for (const name of readdirSync(dir)) {
  // Either page's glue: hearth-frontend-<hash>.js or hearth-clinic-<hash>.js.
  if (!name.startsWith("hearth-") || !name.endsWith(".js")) continue;
  const gluePath = join(dir, name);
  const wasmPath = join(dir, name.replace(/\.js$/, "_bg.wasm"));
  const glue = readFileSync(gluePath, "utf8");
  const wasm = readFileSync(wasmPath);
  const shortened = shortenWasmNames(wasm);
  if (!WebAssembly.validate(shortened.wasm)) throw new Error(`${wasmPath} is invalid once renamed`);
  const { code } = await minify(renameInGlue(glue, shortened.renames), {
    module: true,
    compress: true,
    mangle: true,
  });
  writeFileSync(gluePath, code);
  writeFileSync(wasmPath, shortened.wasm);
  replaceIntegrity(glue, code, name);
  replaceIntegrity(wasm, shortened.wasm, wasmPath);
}
writeFileSync(htmlPath, html);
