// A job's status as a coloured word.
export function JobStatusBadge({ status }: { status: string }) {
  const label = status.charAt(0) + status.slice(1).toLowerCase();
  return <span className={`badge job-${status.toLowerCase()}`}>{label}</span>;
}
