// Which figures rest on the Kong and Consul stand-ins' timing (test/stand-ins/): they are marked †
// wherever they are written, with the same legend, because they are not real Kong's or Consul's.
export const STAND_IN_MARK = '†';

export const STAND_IN_LEGEND = `${STAND_IN_MARK} **A stand-in figure**: measured with the Kong and Consul stand-ins of the offline
image set, so it includes their start-up, stop and DNS timing, not real Kong's or Consul's. The Kong
stand-in is one Node process, listening a few hundred ms after Postgres answers; real Kong runs
\`kong prepare\` and nginx, checks the migrations and builds its router per worker: seconds. Until
2026-12-06 the Consul stand-in elected itself in a fixed 1.5 s; since then it draws raft's heartbeat
timeout as Consul 1.20 does (5-10 s after start for \`-server -bootstrap-expect=1\`), so later runs
are slower by that much wherever Consul's readiness is on the path (test/stand-ins/consul/PARITY.md).`;

/** Report keys (bench/lib/report.ts) that start, stop or route through nothing of Kong's or Consul's. */
const INDEPENDENT = [
  /(^|: )--help$/,
  /(^|: )status$/,
  /(^|: )env$/,
  /(^|: )no-op up$/,
  /(^|: )node -e 0$/,
  /^rss/,
  /^export$/,
  /^mkdev up outside its own clock$/,
  /^startStack reuse$/,
  /the extra containers alone/,
  /^alone (postgres|rabbitmq|prometheus|registrator)$/,
];

export function dependsOnStandIns(key: string): boolean {
  return !INDEPENDENT.some((re) => re.test(key));
}

/** A table label, marked when its figure rests on the stand-ins. */
export const marked = (label: string, standIn: boolean) => (standIn ? `${label} ${STAND_IN_MARK}` : label);
