// What the run queue tools (runqlat, runqslower) share: when a task joins the run queue, and the probes that say so.
import type { ProbeNeed } from './tool.js';

export const RUNQ_NEEDS: readonly ProbeNeed[] = [
  { kind: 'tracepoint', event: 'sched:sched_wakeup' },
  { kind: 'tracepoint', event: 'sched:sched_wakeup_new' },
  { kind: 'tracepoint', event: 'sched:sched_switch' },
  { kind: 'tracepoint', event: 'sched:sched_process_free' },
];

/** The probe stamping @qtime[tid] when a task is woken: its wait for a CPU starts there. */
export const WAKEUP_PROBES = `tracepoint:sched:sched_wakeup,
tracepoint:sched:sched_wakeup_new
{
  @qtime[args.pid] = nsecs;
}`;

/** sched_switch's statement requeueing the task leaving the CPU when it was preempted while runnable (state 0). */
export const REQUEUE_PREEMPTED = `if (args.prev_state == 0) {
    @qtime[args.prev_pid] = nsecs;
  }`;
