/**
 * Preloaded (`node -r`) into every process `meshform up` starts: when the
 * parent dies without stopping its children (killed with SIGKILL, say), the
 * child notices it has been re-parented and stops itself as SIGTERM would
 * (its own SIGTERM handlers run: the proxy drains, the control plane closes),
 * then exits at the latest after a grace period, so no orphan keeps a port.
 * The handlers are called through `process.emit` rather than by signalling
 * itself: a self-sent SIGTERM was seen to hang in some parents' environments.
 * Costs one unref'd timer per process.
 */

/** How often the parent is checked. */
const CHECK_INTERVAL_MS = 500;
/** How long the child may take to stop after SIGTERM before it exits anyway. */
const EXIT_GRACE_MS = 3000;

/**
 * The parent to watch: the one named by the spawner in {@link PARENT_PID_ENV}
 * (so a parent killed while the child was still loading is noticed too),
 * else the parent at load time.
 */
const PARENT_PID_ENV = 'MESHFORM_PARENT_PID';
const named = Number(process.env[PARENT_PID_ENV]);
const parent = Number.isInteger(named) && named > 0 ? named : process.ppid;
// Processes this one starts (a proxy's workers inherit `-r guard`) watch this one, not ours.
delete process.env[PARENT_PID_ENV];
const timer = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(timer);
  if (process.listenerCount('SIGTERM') === 0) process.exit(1);
  setTimeout(() => process.exit(1), EXIT_GRACE_MS).unref();
  process.emit('SIGTERM', 'SIGTERM');
}, CHECK_INTERVAL_MS);
timer.unref();
export {};
