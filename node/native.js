'use strict';
// Loads the native addon: a build next to this file when there is one (`npm run build` in a
// checkout of the repository), else the prebuilt addon of this platform, which comes in its
// own package (`yunhuni-linux-x64-gnu`, ...), an optional dependency of the published `yunhuni`.
// Nothing is compiled when the package is installed.

const fs = require('node:fs');
const path = require('node:path');

/** True on a Linux whose C library is musl (Alpine) rather than glibc. */
function isMusl() {
  try {
    return fs.readFileSync('/usr/bin/ldd', 'latin1').includes('musl');
  } catch {
    // No ldd to read: ask the process report, which names glibc's version only on glibc.
  }
  try {
    const { header } = process.report.getReport();
    return !(header && header.glibcVersionRuntime);
  } catch {
    return false;
  }
}

/** This platform as the prebuilt packages name it: `linux-x64-gnu`, `darwin-arm64`, ... */
function platformKey() {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function isMissing(err, what) {
  return err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(what);
}

function load() {
  const local = path.join(__dirname, 'yunhuni.node');
  if (fs.existsSync(local)) return require(local);

  const key = platformKey();
  const name = `yunhuni-${key}`;
  try {
    return require(name);
  } catch (err) {
    if (!isMissing(err, name)) {
      const e = new Error(`yunhuni: the prebuilt addon of ${name} failed to load: ${err.message}`);
      e.cause = err;
      throw e;
    }
  }

  const pkg = require('./package.json');
  const prebuilt = Object.keys(pkg.optionalDependencies || {})
    .filter((dep) => dep.startsWith('yunhuni-'))
    .map((dep) => dep.slice('yunhuni-'.length));
  const lines = [`yunhuni: no native addon for this platform (${key}).`];
  if (prebuilt.includes(key)) {
    lines.push(
      `Its prebuilt addon comes in the package ${name}, an optional dependency of yunhuni, which is ` +
        'not installed: npm leaves it out with --omit=optional (or --no-optional), and a node_modules ' +
        'copied from another platform lacks it. Install it with ' +
        `\`npm install ${name}@${pkg.version}\` (or reinstall yunhuni with optional dependencies).`,
    );
  } else if (prebuilt.length > 0) {
    lines.push(`There is no prebuilt package for it; prebuilt: ${prebuilt.join(', ')}.`);
  }
  if (fs.existsSync(path.join(__dirname, 'Cargo.toml'))) {
    // A checkout of the repository (the published package has no Rust sources).
    lines.push(
      `This is a checkout: build the addon with \`npm install && npm run build\` in ${__dirname} ` +
        '(this needs Rust: https://rustup.rs).',
    );
  }
  throw new Error(lines.join(' '));
}

module.exports = load();
