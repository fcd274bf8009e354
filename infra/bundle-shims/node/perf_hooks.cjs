// Node's perf_hooks as CommonJS, without an ES module facade: see infra/function-bundle.ts.
module.exports = process.getBuiltinModule('node:perf_hooks');
