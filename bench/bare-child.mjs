// The baseline for cold starts: a Node process that starts, reports, and exits.
process.send?.({});
process.exit(0);
