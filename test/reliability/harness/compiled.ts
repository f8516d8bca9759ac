/**
 * The service as the appliance runs it: compiled JavaScript (`node dist/src/main.js run`),
 * without tsx loading and transforming some 240 modules at every start (10 s and more on a
 * loaded two-core machine; the crash suite starts the service two dozen times). Each file of
 * src/ is transpiled on its own (typescript's transpileModule: the project is isolatedModules
 * with verbatimModuleSyntax, so this is what tsc emits) into .reltmp/<hash>/src/, beside links
 * to web/ and package.json, which is the layout of dist/ (the code finds its files from there).
 * The hash covers every source file's path, size and mtime: a changed src/ is built again,
 * an unchanged one is reused; a build is written beside and renamed into place when complete.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { REPO } from "./service.js";

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out.sort();
}

/** Path of the compiled src/main.js (built now if src/ changed since the last build). */
export function compiledMain(): string {
  const src = join(REPO, "src");
  const files = sources(src);
  const hash = createHash("sha256");
  for (const f of files) {
    const s = statSync(f);
    hash.update(`${relative(REPO, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  const root = join(REPO, ".reltmp");
  const target = join(root, `build-${hash.digest("hex").slice(0, 16)}`);
  const main = join(target, "src", "main.js");
  if (existsSync(join(target, "complete"))) return main;
  const staging = `${target}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    esModuleInterop: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    sourceMap: false,
  };
  for (const f of files) {
    const out = join(staging, relative(REPO, f)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(out), { recursive: true });
    const js = ts.transpileModule(readFileSync(f, "utf8"), {
      compilerOptions: options,
      fileName: f,
      reportDiagnostics: false,
    }).outputText;
    writeFileSync(out, js);
  }
  symlinkSync(join(REPO, "web"), join(staging, "web"));
  symlinkSync(join(REPO, "package.json"), join(staging, "package.json"));
  writeFileSync(join(staging, "complete"), `${files.length} files\n`);
  try {
    renameSync(staging, target);
  } catch {
    // another process completed the same build first: use it
    rmSync(staging, { recursive: true, force: true });
  }
  if (!existsSync(join(target, "complete")))
    throw new Error(`reliability: the compiled service was not built in ${target}`);
  // Builds of an older src/ pile up while code changes: those untouched for an hour go.
  for (const e of readdirSync(root)) {
    const p = join(root, e);
    if (p !== target && e.startsWith("build-") && Date.now() - statSync(p).mtimeMs > 3_600_000)
      rmSync(p, { recursive: true, force: true });
  }
  return main;
}
