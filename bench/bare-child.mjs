// The baseline for cold starts: a Node process that starts, reports (with its CPU time so far, ms), and exits.
const { user, system } = process.cpuUsage();
process.send?.({ cpuMs: (user + system) / 1000 });
process.exit(0);
