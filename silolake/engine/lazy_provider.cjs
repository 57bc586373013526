// Loads the AWS provider bindings' modules on first use inside the engine's Node.js process.
//
// The jsii kernel `require`s a provider package's lib/index.js when Python loads the
// assembly, and that index requires all ~2,400 resource modules up front
// (`exports.s3Bucket = __importStar(require("./s3-bucket/index"));`), although a synth uses
// about 90: most of the engine's start-up time and memory went to compiling code nobody
// called. This file, preloaded with `node --require` (NODE_OPTIONS, set by
// silolake/engine_env.py for the engine's process only), rewrites each such line of a
// provider index into a getter that requires the module when the kernel first reads the
// export, and then replaces itself with the module (so later reads cost nothing).
//
// The rewrite applies only when every `require` of the index has that exact shape; if an
// engine upgrade changes the index (another emitter, ES modules), the index is left as it
// is (eager loading, the engine's own behaviour) and the outcome is recorded as
// "eager" (tests/engine/test_lazy_provider.py fails loudly on the installed provider).
"use strict";
const Module = require("module");
const fs = require("fs");

const LINE = /^exports\.([A-Za-z_$][\w$]*) = __importStar\(require\("(\.\/[\w\-./]+)"\)\);$/;
const PROVIDER_INDEX = /[\\/](@cdktn[\\/]provider-aws|@cdktf[\\/]provider-aws)[\\/]lib[\\/]index\.js$/;

/** Rewrite a provider index; returns {code, lazy, requires}: lazy is how many exports became getters. */
function transform(source) {
  const lines = source.split("\n");
  const requires = lines.filter((l) => l.includes("require(")).length;
  let lazy = 0;
  const out = lines.map((line) => {
    const m = LINE.exec(line);
    if (!m) return line;
    lazy += 1;
    const [, name, path] = m;
    return (
      `Object.defineProperty(exports, ${JSON.stringify(name)}, {configurable: true, enumerable: true, ` +
      `get() { const v = __importStar(require(${JSON.stringify(path)})); ` +
      `Object.defineProperty(exports, ${JSON.stringify(name)}, {value: v, writable: true, configurable: true, enumerable: true}); ` +
      `return v; }});`
    );
  });
  if (lazy === 0 || lazy !== requires) return { code: source, lazy: 0, requires };
  return { code: out.join("\n"), lazy, requires };
}

const report = { indexes: [], childProcesses: [] };

/** Record every process the engine starts (a synth should start none: tests/engine/test_lazy_provider.py). */
function watchChildProcesses() {
  const cp = require("child_process");
  for (const name of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"]) {
    const original = cp[name];
    cp[name] = function (command, ...rest) {
      report.childProcesses.push(String(command));
      return original.call(this, command, ...rest);
    };
  }
}

function install() {
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    if (PROVIDER_INDEX.test(filename)) {
      const result = transform(content);
      report.indexes.push({ file: filename, mode: result.lazy ? "lazy" : "eager", lazy: result.lazy, requires: result.requires });
      content = result.code;
    }
    return compile.call(this, content, filename);
  };
  const target = process.env.SILOLAKE_LAZY_PROVIDER_REPORT;
  if (target) {
    watchChildProcesses();
    // Written when the engine exits: what the hook did, how many provider modules a synth loaded
    // and which processes the engine started.
    // Only by the process that loaded a provider: jsii's launcher is a Node.js process too, and
    // the kernel runs in its child (both get the preload).
    process.on("exit", () => {
      if (report.indexes.length === 0) return;
      const loaded = Object.keys(require.cache).filter((f) => /provider-aws[\\/]lib[\\/]/.test(f)).length;
      fs.writeFileSync(target, JSON.stringify({ ...report, loadedProviderModules: loaded }));
    });
  }
}

module.exports = { transform, LINE, PROVIDER_INDEX };
// Worker threads (the kernel's type index) inherit the preload; only the kernel's own thread loads providers.
if (require("worker_threads").isMainThread && !process.env.SILOLAKE_LAZY_PROVIDER_NO_INSTALL) install();
