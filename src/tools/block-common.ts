// What the block tools share: who submitted a request. A request is queued (block_rq_insert) in the context of
// the task that submitted it, but may be issued to the driver later by a kernel worker; like BCC, the tools
// credit the submitter, remembered at insert, and fall back to the task issuing requests that skip the queue.

/** Key of a request in flight. */
export const RQ = 'args.dev, args.sector';

/**
 * Probes that set @who_pid/@who_comm for the requests the filter (a condition on pid/comm, or '' for all)
 * accepts, then run `onIssue` (statements) at issue for those requests.
 */
export function submitterProbes(filter: string, onIssue: string): string {
  const cond = filter === '' ? '1' : filter;
  return `tracepoint:block:block_rq_insert
${filter === '' ? '' : `/${filter}/\n`}{
  @who_pid[${RQ}] = pid;
  @who_comm[${RQ}] = comm;
}

tracepoint:block:block_rq_issue
{
  if (!@who_pid[${RQ}] && ${cond}) {
    @who_pid[${RQ}] = pid;
    @who_comm[${RQ}] = comm;
  }
  if (@who_pid[${RQ}]) {
    ${onIssue.trim().split('\n').join('\n    ')}
  }
}
`;
}

export const FORGET_SUBMITTER = `delete(@who_pid[${RQ}]);\ndelete(@who_comm[${RQ}]);`;
export const CLEAR_SUBMITTERS = 'clear(@who_pid);\nclear(@who_comm);';
