// Node's timers as CommonJS, without an ES module facade: see infra/function-bundle.ts.
module.exports = process.getBuiltinModule('node:timers');
