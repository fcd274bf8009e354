// Node's zlib as CommonJS, without an ES module facade: see infra/function-bundle.ts.
module.exports = process.getBuiltinModule('node:zlib');
