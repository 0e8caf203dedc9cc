'use strict';
// Loads the native addon built by `npm install` (napi build) next to this file.

const path = require('node:path');

try {
  module.exports = require('./yunhuni.node');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('yunhuni.node')) {
    const dir = path.resolve(__dirname);
    const hint = new Error(
      `yunhuni: the native addon ${path.join(dir, 'yunhuni.node')} is missing. ` +
        `It is built when the package is installed; build it with \`npm run build\` in ${dir} ` +
        '(this needs Rust: https://rustup.rs).',
    );
    hint.cause = err;
    throw hint;
  }
  throw err;
}
