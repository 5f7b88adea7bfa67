// Who is in a collection, people and teams. Owners invite by email, share
// with a team, change roles and remove members; everyone can leave. Below: the
// collection's feeds and public links.
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { describeProblem, fieldErrors, isStatus } from '../api/problem';
import { roles, type Member, type Role } from '../api/types';
import { useSession } from '../auth/session';
import { useCurrentCollection } from '../collections/CollectionLayout';
import { collectionKeys } from '../collections/hooks';
import { ConfirmDialog } from '../ui/Dialog';
import { Field } from '../ui/Field';
import { formatDateTime, roleHelp, roleLabel, RoleBadge } from '../ui/format';
import { Empty, ErrorState, FormError, Loading } from '../ui/States';
import { InvitationsSection } from '../email/InvitationsSection';
import { useInvite } from '../email/hooks';
import { FeedsPanel } from '../sharing/FeedsPanel';
import { PublicLinkPanel } from '../sharing/PublicLinkPanel';
import { useAddMember, useChangeRole, useChangeTeamRole, useMembers, useRemoveMember, useRemoveTeam } from './hooks';
import { ShareWithTeamForm } from './ShareWithTeamForm';

export function MembersPage() {
  const collection = useCurrentCollection();
  const { user } = useSession();
  const members = useMembers(collection.id);
  const change = useChangeRole(collection.id);
  const remove = useRemoveMember(collection.id);
  const changeTeam = useChangeTeamRole(collection.id);
  const removeTeam = useRemoveTeam(collection.id);
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [removing, setRemoving] = useState<Member | null>(null);
  const owner = collection.permissions.manage;
  const all = members.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  const leaving = removing?.kind === 'user' && removing.user_id === user?.id;
  const removingTeam = removing?.kind === 'team';
  const removal = removingTeam ? removeTeam : remove;
  const nameOf = (m: Member) => (m.kind === 'team' ? m.team_name : m.display_name);

  return (
    <section aria-labelledby="members-heading">
      <div className="section-head">
        <h2 id="members-heading">Members</h2>
      </div>
      {owner ? (
        <>
          <InviteForm collectionId={collection.id} />
          <ShareWithTeamForm collectionId={collection.id} />
          <InvitationsSection collectionId={collection.id} />
        </>
      ) : (
        <p className="muted">Only owners can invite people or teams, or change roles.</p>
      )}
      {(change.isError || changeTeam.isError) && (
        <p className="error-text" role="alert">
          Could not change the role: {describeProblem(change.error ?? changeTeam.error)}
        </p>
      )}
      {members.isPending ? (
        <Loading label="Loading members…" />
      ) : members.isError ? (
        <ErrorState error={members.error} retry={() => members.refetch()} title="Could not load the members" />
      ) : all.length === 0 ? (
        <Empty title="No members">
          <p>Invite someone below, or share the collection with a team.</p>
        </Empty>
      ) : (
        <div className="table-wrap stack-narrow">
          <table>
            <caption className="visually-hidden">Members of {collection.name}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {all.map((m) => {
                const team = m.kind === 'team';
                const me = !team && m.user_id === user?.id;
                const id = (team ? m.team_id : m.user_id) ?? '';
                return (
                  <tr key={`${m.kind}-${id}`}>
                    <td data-label="Name">
                      {nameOf(m)}
                      {team && <span className="badge team">Team</span>}
                      {me && <span className="muted"> (you)</span>}
                    </td>
                    <td data-label="Email">{team ? <span className="muted">Every member of the team</span> : m.email}</td>
                    <td data-label="Role">
                      {owner ? (
                        <select
                          aria-label={`Role of ${nameOf(m)}`}
                          value={m.role}
                          onChange={(e) => {
                            const role = e.target.value as Role;
                            if (team) changeTeam.mutate({ teamId: id, role });
                            else change.mutate({ userId: id, role });
                          }}
                        >
                          {roles.map((r) => (
                            <option key={r} value={r}>
                              {roleLabel(r)}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <RoleBadge role={m.role} />
                      )}
                    </td>
                    <td data-label="Joined">{formatDateTime(m.joined_at)}</td>
                    <td>
                      {me ? (
                        <button type="button" className="danger-link" onClick={() => setRemoving(m)}>
                          Leave
                        </button>
                      ) : (
                        owner && (
                          <button type="button" className="danger-link" onClick={() => setRemoving(m)} aria-label={`Remove ${nameOf(m)}`}>
                            Remove
                          </button>
                        )
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <FeedsPanel collectionId={collection.id} collectionName={collection.name} />
      <PublicLinkPanel collectionId={collection.id} owner={owner} />
      <ConfirmDialog
        open={removing !== null}
        title={leaving ? 'Leave this collection?' : removingTeam ? 'Remove team?' : 'Remove member?'}
        message={
          leaving
            ? `You will lose access to “${collection.name}” until an owner invites you again.`
            : removingTeam
              ? `The members of ${removing?.team_name ?? ''} will keep only their own access to “${collection.name}”.`
              : `${removing?.display_name ?? ''} will lose access to “${collection.name}”.`
        }
        confirmLabel={leaving ? 'Leave collection' : removingTeam ? 'Remove team' : 'Remove member'}
        busy={removal.isPending}
        error={removal.error ? describeProblem(removal.error) : null}
        onClose={() => {
          setRemoving(null);
          remove.reset();
          removeTeam.reset();
        }}
        onConfirm={() =>
          removing &&
          removal.mutate((removing.kind === 'team' ? removing.team_id : removing.user_id) ?? '', {
            onSuccess: () => {
              setRemoving(null);
              if (leaving) {
                qc.removeQueries({ queryKey: collectionKeys.one(collection.id) });
                void qc.invalidateQueries({ queryKey: collectionKeys.list() });
                navigate('/', { replace: true });
              }
            },
          })
        }
      />
    </section>
  );
}

function InviteForm({ collectionId }: { collectionId: string }) {
  const add = useAddMember(collectionId);
  const invite = useInvite(collectionId);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [added, setAdded] = useState<string | null>(null);
  const errors = fieldErrors(add.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    setAdded(null);
    invite.reset();
    const address = email.trim();
    add.mutate(
      { email: address, role },
      {
        onSuccess: () => {
          setAdded(`${address} was added as ${roleLabel(role).toLowerCase()}.`);
          setEmail('');
        },
        // No account has the address: email them an invitation instead.
        onError: (err) => {
          if (!isStatus(err, 404)) return;
          invite.mutate(
            { email: address, role },
            {
              onSuccess: () => {
                add.reset();
                setAdded(`${address} has no account yet: an invitation to join as ${roleLabel(role).toLowerCase()} was emailed.`);
                setEmail('');
              },
            },
          );
        },
      },
    );
  }

  return (
    <form className="panel invite" onSubmit={submit} aria-labelledby="invite-heading">
      <h3 id="invite-heading">Invite someone</h3>
      <p className="muted small">Someone without an Atlas account gets an invitation by email.</p>
      <div className="row">
        <Field label="Email" error={errors.email}>
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Role" hint={roleHelp(role)}>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="primary" disabled={add.isPending || invite.isPending}>
          {add.isPending || invite.isPending ? 'Inviting…' : 'Invite'}
        </button>
      </div>
      {add.isError && !isStatus(add.error, 404) && <FormError error={add.error} />}
      {invite.isError && (
        <p className="error-text" role="alert">
          No Atlas account uses that email, and the invitation could not be sent: {describeProblem(invite.error)}
        </p>
      )}
      {added && (
        <p className="success-text" role="status">
          {added}
        </p>
      )}
    </form>
  );
}
