/**
 * Import case: `--case NAME`. Times `await import(<package>)` in this fresh process, the first
 * thing it does (so nothing is cached), and prints a CaseResult (`points` is 1). This file imports
 * nothing at its top but node builtins it already has, so no case pays for another's modules.
 *   - `floor`: an empty ES module (what Node's ESM loader costs by itself);
 *   - `influx-models`: the package root, `import 'influx-models'` (resolved through its exports);
 *   - `node-influx`: `import 'influx'`;
 *   - `influxdb-client`: `import '@influxdata/influxdb-client'` (the v2 client).
 */
const TARGETS: Record<string, string> = {
  floor: 'data:text/javascript,export const empty = true;',
  'influx-models': 'influx-models',
  'node-influx': 'influx',
  'influxdb-client': '@influxdata/influxdb-client',
};

const i = process.argv.indexOf('--case');
const name = i >= 0 ? process.argv[i + 1] : undefined;
const target = name === undefined ? undefined : TARGETS[name];
if (target === undefined) throw new Error(`unknown import case ${name}`);
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const mod = (await import(target)) as Record<string, unknown>;
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
if (Object.keys(mod).length === 0) throw new Error(`${target} exported nothing`);
process.stdout.write(
  `${JSON.stringify({
    seconds,
    points: 1,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  })}\n`,
);
