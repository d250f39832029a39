// Shortens the names the wasm and its JS glue share. wasm-bindgen names every
// import `__wbg_<method>_<16 hex digits>` and sends all of them from a module
// named after the crate, so about 300 imports spell out some 17 KB of names
// twice, once in the wasm's import section and once as the glue's object keys,
// and random hex barely compresses. Renaming both sides alike to two-letter
// names changes no behaviour and takes several KB off the gzipped first paint.

/** Reads an unsigned LEB128 number at `at`; returns [value, next offset]. */
function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
    shift += 7;
  }
}

function writeU32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

const utf8 = new TextDecoder();
const encode = (text) => [...writeU32(Buffer.byteLength(text)), ...Buffer.from(text)];

function readName(bytes, at) {
  const [length, start] = readU32(bytes, at);
  return [utf8.decode(bytes.subarray(start, start + length)), start + length];
}

/** Skips a table's or memory's limits: a flags byte, the minimum, and the maximum if flagged. */
function skipLimits(bytes, at) {
  const flags = bytes[at++];
  [, at] = readU32(bytes, at);
  if (flags & 1) [, at] = readU32(bytes, at);
  return at;
}

/** Skips an import's description (function, table, memory, global or tag). */
function skipImportKind(bytes, at) {
  const kind = bytes[at++];
  switch (kind) {
    case 0x00: // function: its type index
      return readU32(bytes, at)[1];
    case 0x01: // table: element type, limits
      return skipLimits(bytes, at + 1);
    case 0x02: // memory: limits
      return skipLimits(bytes, at);
    case 0x03: // global: value type, mutability
      return at + 2;
    case 0x04: // tag: attribute, type index
      return readU32(bytes, at + 1)[1];
    default:
      throw new Error(`unknown wasm import kind ${kind}`);
  }
}

/** Short names in order: a…z, A…Z, then two letters. */
function* shortNames() {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (const first of letters) yield first;
  for (const first of letters) for (const second of letters) yield first + second;
}

/** Exports the glue reads by property and that no other code names. */
const renamableExport = (name) => /^(wasm_bindgen__|__wbindgen_|__externref_)/.test(name);

/**
 * Renames the imports' module and fields and wasm-bindgen's own exports.
 * Returns the new wasm and the old→new names to apply to the glue.
 */
export function shortenWasmNames(bytes) {
  if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error("not a wasm module");
  const renames = new Map();
  const imports = shortNames();
  const exports = shortNames();
  const sections = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = readU32(bytes, at + 1);
    const end = start + size;
    if (id !== 2 && id !== 7) {
      sections.push(bytes.subarray(at, end));
      at = end;
      continue;
    }
    const [count, first] = readU32(bytes, start);
    const body = [...writeU32(count)];
    let entry = first;
    for (let i = 0; i < count; i++) {
      if (id === 2) {
        const [module, afterModule] = readName(bytes, entry);
        const [field, afterField] = readName(bytes, afterModule);
        const next = skipImportKind(bytes, afterField);
        if (!renames.has(module)) renames.set(module, "w");
        const short = renames.get(field) ?? imports.next().value;
        renames.set(field, short);
        body.push(...encode(renames.get(module)), ...encode(short), ...bytes.subarray(afterField, next));
        entry = next;
      } else {
        const [name, afterName] = readName(bytes, entry);
        const [, next] = readU32(bytes, afterName + 1);
        const short = renamableExport(name) ? exports.next().value : name;
        if (short !== name) renames.set(name, short);
        body.push(...encode(short), ...bytes.subarray(afterName, next));
        entry = next;
      }
    }
    if (entry !== end) throw new Error(`wasm section ${id} did not parse to its end`);
    sections.push(Buffer.from([id, ...writeU32(body.length), ...body]));
    at = end;
  }
  return { wasm: Buffer.concat(sections), renames };
}

/**
 * Applies the renames to the glue: each old name as a whole identifier or
 * quoted key. Fails if one is missing, so a changed glue layout is noticed.
 */
export function renameInGlue(js, renames) {
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  for (const [old, short] of renames) {
    const quoted = new RegExp(`(["'])${escape(old)}\\1`, "g");
    const bare = new RegExp(`(?<![\\w$])${escape(old)}(?![\\w$])`, "g");
    const renamed = js.replace(quoted, `"${short}"`).replace(bare, short);
    if (renamed === js) throw new Error(`the glue never names ${old}`);
    js = renamed;
  }
  return js;
}
