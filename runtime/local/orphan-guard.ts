/**
 * Preloaded (`node -r`) into every process `meshform up` starts: when the
 * parent dies without stopping its children (killed with SIGKILL, say), the
 * child notices it has been re-parented and stops itself with SIGTERM, so no
 * orphan keeps a port. Costs one unref'd timer per process.
 */

/** How often the parent is checked. */
const CHECK_INTERVAL_MS = 500;
/** How long the child may take to stop after SIGTERM before it exits anyway. */
const EXIT_GRACE_MS = 3000;

const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(timer);
  setTimeout(() => process.exit(1), EXIT_GRACE_MS).unref();
  process.kill(process.pid, 'SIGTERM');
}, CHECK_INTERVAL_MS);
timer.unref();
export {};
