// Trunk post-build hook: minifies wasm-bindgen's JS glue (about 2 KB off the
// gzipped first paint) and updates its Subresource Integrity hash in
// index.html, which Trunk computed before this hook ran.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { minify } from "terser";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error("run by Trunk as a post_build hook (TRUNK_STAGING_DIR unset)");
const integrity = (text) => "sha384-" + createHash("sha384").update(text).digest("base64");

const htmlPath = join(dir, "index.html");
let html = readFileSync(htmlPath, "utf8");
for (const name of readdirSync(dir)) {
  // Either page's glue: hearth-frontend-<hash>.js or hearth-clinic-<hash>.js.
  if (!name.startsWith("hearth-") || !name.endsWith(".js")) continue;
  const path = join(dir, name);
  const source = readFileSync(path, "utf8");
  const { code } = await minify(source, { module: true, compress: true, mangle: true });
  writeFileSync(path, code);
  const before = integrity(source);
  if (!html.includes(before)) throw new Error(`index.html has no integrity ${before} for ${name}`);
  html = html.replace(before, integrity(code));
}
writeFileSync(htmlPath, html);
