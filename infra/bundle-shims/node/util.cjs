// Node's util as CommonJS, without an ES module facade: see infra/function-bundle.ts.
module.exports = process.getBuiltinModule('node:util');
