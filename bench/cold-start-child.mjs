// One cold start: import the bundle (as Lambda's runtime does at init) and serve one request.
// Plain JavaScript, so that nothing but the bundle is loaded on top of a bare Node process.
// Besides wall time it reports this process's CPU time (µs), which a busy machine disturbs far less.
const started = performance.now();
const cpuStarted = process.cpuUsage();
const { handler } = await import(process.env.BENCH_BUNDLE);
const imported = performance.now();
const cpuImported = process.cpuUsage();
const event = JSON.parse(process.env.BENCH_EVENT);
const context = { awsRequestId: 'cold', functionName: 'bench', getRemainingTimeInMillis: () => 10_000 };
const result = await handler(event, context);
const served = performance.now();
const cpuServed = process.cpuUsage();
const cpu = (u) => (u.user + u.system) / 1000;
process.send?.({
  importMs: imported - started,
  firstRequestMs: served - imported,
  status: result.statusCode,
  // CPU ms: the whole process so far (Node's own start included), the import, the first request.
  cpuMs: cpu(cpuServed),
  importCpuMs: cpu(cpuImported) - cpu(cpuStarted),
  firstRequestCpuMs: cpu(cpuServed) - cpu(cpuImported),
});
process.exit(0);
