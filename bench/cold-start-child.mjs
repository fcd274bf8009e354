// One cold start: import the bundle (as Lambda's runtime does at init) and serve one request.
// Plain JavaScript, so that nothing but the bundle is loaded on top of a bare Node process.
const started = performance.now();
const { handler } = await import(process.env.BENCH_BUNDLE);
const imported = performance.now();
const event = JSON.parse(process.env.BENCH_EVENT);
const context = { awsRequestId: 'cold', functionName: 'bench', getRemainingTimeInMillis: () => 10_000 };
const result = await handler(event, context);
const served = performance.now();
process.send?.({ importMs: imported - started, firstRequestMs: served - imported, status: result.statusCode });
process.exit(0);
