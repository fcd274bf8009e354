// Node's http as CommonJS, without an ES module facade: see infra/function-bundle.ts.
module.exports = process.getBuiltinModule('node:http');
