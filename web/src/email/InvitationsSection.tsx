// Owners' list of a collection's pending invitations, with revoke.
import { describeProblem } from '../api/problem';
import { formatDateTime, RoleBadge } from '../ui/format';
import { ErrorState, Loading } from '../ui/States';
import { useInvitations, useRevokeInvitation } from './hooks';

export function InvitationsSection({ collectionId }: { collectionId: string }) {
  const invitations = useInvitations(collectionId, true);
  const revoke = useRevokeInvitation(collectionId);
  const all = invitations.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  const now = invitations.dataUpdatedAt; // when the list was read: "expired" is as of then

  if (invitations.isPending) return <Loading label="Loading invitations…" />;
  if (invitations.isError) return <ErrorState error={invitations.error} retry={() => invitations.refetch()} title="Could not load the invitations" />;
  if (all.length === 0) return null;
  return (
    <section aria-labelledby="invitations-heading">
      <h3 id="invitations-heading">Pending invitations</h3>
      {revoke.isError && (
        <p className="error-text" role="alert">
          Could not revoke: {describeProblem(revoke.error)}
        </p>
      )}
      <div className="table-wrap stack-narrow">
        <table>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Link works until</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {all.map((inv) => (
              <tr key={inv.id}>
                <td data-label="Email">{inv.email}</td>
                <td data-label="Role">
                  <RoleBadge role={inv.role} />
                </td>
                <td data-label="Link works until">
                  {formatDateTime(inv.expires_at)}
                  {Date.parse(inv.expires_at) < now && <span className="muted"> (expired: invite again to renew)</span>}
                </td>
                <td>
                  <button
                    type="button"
                    className="danger-link"
                    onClick={() => revoke.mutate(inv.id)}
                    disabled={revoke.isPending}
                    aria-label={`Revoke the invitation of ${inv.email}`}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
