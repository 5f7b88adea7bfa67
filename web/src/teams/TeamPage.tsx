// One team: its members; owners rename or delete it, add people, change roles and remove them; anyone can leave.
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { describeProblem, fieldErrors, isStatus } from '../api/problem';
import { teamRoles, type Team, type TeamMember, type TeamRole } from '../api/types';
import { useSession } from '../auth/session';
import { ConfirmDialog, Dialog } from '../ui/Dialog';
import { Field } from '../ui/Field';
import { formatDateTime } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ErrorState, FormError, Loading } from '../ui/States';
import { useAddTeamMember, useChangeTeamMemberRole, useDeleteTeam, useRemoveTeamMember, useRenameTeam, useTeam, useTeamMembers } from './hooks';

const teamRoleLabel = (r: TeamRole) => (r === 'owner' ? 'Owner' : 'Member');

export function TeamPage() {
  const { teamId = '' } = useParams();
  const team = useTeam(teamId);
  if (team.isPending) return <Loading label="Loading the team…" />;
  if (team.isError) {
    return isStatus(team.error, 404) ? (
      <Empty title="Team not found">
        <p>
          It does not exist or you are not in it. <Link to="/teams">Your teams</Link>
        </p>
      </Empty>
    ) : (
      <ErrorState error={team.error} retry={() => team.refetch()} title="Could not load the team" />
    );
  }
  return <TeamView team={team.data} />;
}

function TeamView({ team }: { team: Team }) {
  const { user } = useSession();
  const navigate = useNavigate();
  const members = useTeamMembers(team.id);
  const change = useChangeTeamMemberRole(team.id);
  const remove = useRemoveTeamMember(team.id);
  const rename = useRenameTeam();
  const del = useDeleteTeam();
  const [removing, setRemoving] = useState<TeamMember | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const all = members.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  const leaving = removing?.user_id === user?.id;

  return (
    <>
      <PageHeader
        title={team.name}
        subtitle={<Link to="/teams">All teams</Link>}
        actions={
          team.can_manage && (
            <>
              <button type="button" onClick={() => setRenaming(true)}>
                Rename
              </button>
              <button type="button" className="danger-link" onClick={() => setDeleting(true)}>
                Delete team
              </button>
            </>
          )
        }
      />
      {team.can_manage ? <AddTeamMemberForm teamId={team.id} /> : <p className="muted">Only the team's owners can add people or change roles.</p>}
      {change.isError && (
        <p className="error-text" role="alert">
          Could not change the role: {describeProblem(change.error)}
        </p>
      )}
      {members.isPending ? (
        <Loading label="Loading members…" />
      ) : members.isError ? (
        <ErrorState error={members.error} retry={() => members.refetch()} title="Could not load the members" />
      ) : (
        <div className="table-wrap stack-narrow">
          <table>
            <caption className="visually-hidden">Members of {team.name}</caption>
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
                const me = m.user_id === user?.id;
                return (
                  <tr key={m.user_id}>
                    <td data-label="Name">
                      {m.display_name}
                      {me && <span className="muted"> (you)</span>}
                    </td>
                    <td data-label="Email">{m.email}</td>
                    <td data-label="Role">
                      {team.can_manage ? (
                        <select
                          aria-label={`Team role of ${m.display_name}`}
                          value={m.role}
                          onChange={(e) => change.mutate({ userId: m.user_id, role: e.target.value as TeamRole })}
                        >
                          {teamRoles.map((r) => (
                            <option key={r} value={r}>
                              {teamRoleLabel(r)}
                            </option>
                          ))}
                        </select>
                      ) : (
                        teamRoleLabel(m.role)
                      )}
                    </td>
                    <td data-label="Joined">{formatDateTime(m.joined_at)}</td>
                    <td>
                      {(me || team.can_manage) && (
                        <button
                          type="button"
                          className="danger-link"
                          onClick={() => setRemoving(m)}
                          aria-label={me ? 'Leave the team' : `Remove ${m.display_name} from the team`}
                        >
                          {me ? 'Leave' : 'Remove'}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <RenameTeamDialog
        open={renaming}
        team={team}
        busy={rename.isPending}
        error={rename.error}
        onClose={() => {
          setRenaming(false);
          rename.reset();
        }}
        onSubmit={(name) => rename.mutate({ id: team.id, name }, { onSuccess: () => setRenaming(false) })}
      />
      <ConfirmDialog
        open={deleting}
        title="Delete team?"
        message={`“${team.name}” will be deleted and its members lose the access it gave them to every collection.`}
        confirmLabel="Delete team"
        busy={del.isPending}
        error={del.error ? describeProblem(del.error) : null}
        onClose={() => {
          setDeleting(false);
          del.reset();
        }}
        onConfirm={() => del.mutate(team.id, { onSuccess: () => navigate('/teams', { replace: true }) })}
      />
      <ConfirmDialog
        open={removing !== null}
        title={leaving ? 'Leave this team?' : 'Remove from team?'}
        message={
          leaving
            ? `You will lose the access “${team.name}” gives you.`
            : `${removing?.display_name ?? ''} will lose the access “${team.name}” gives them.`
        }
        confirmLabel={leaving ? 'Leave team' : 'Remove from team'}
        busy={remove.isPending}
        error={remove.error ? describeProblem(remove.error) : null}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={() =>
          removing &&
          remove.mutate(removing.user_id, {
            onSuccess: () => {
              setRemoving(null);
              if (leaving) navigate('/teams', { replace: true });
            },
          })
        }
      />
    </>
  );
}

function RenameTeamDialog(props: { open: boolean; team: Team; busy: boolean; error: unknown; onSubmit(name: string): void; onClose(): void }) {
  return (
    <Dialog open={props.open} title="Rename team" onClose={props.onClose}>
      {props.open && <RenameTeamForm key={props.team.id} {...props} />}
    </Dialog>
  );
}

function RenameTeamForm({ team, busy, error, onSubmit, onClose }: { team: Team; busy: boolean; error: unknown; onSubmit(name: string): void; onClose(): void }) {
  const [name, setName] = useState(team.name);
  const errors = fieldErrors(error);
  function submit(e: FormEvent) {
    e.preventDefault();
    onSubmit(name.trim());
  }
  return (
    <form onSubmit={submit}>
      <Field label="Name" error={errors.name}>
        <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <FormError error={error} />
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

function AddTeamMemberForm({ teamId }: { teamId: string }) {
  const add = useAddTeamMember(teamId);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<TeamRole>('member');
  const [added, setAdded] = useState<string | null>(null);
  const errors = fieldErrors(add.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    setAdded(null);
    const address = email.trim();
    add.mutate(
      { email: address, role },
      {
        onSuccess: () => {
          setAdded(`${address} was added to the team.`);
          setEmail('');
        },
      },
    );
  }

  return (
    <form className="panel invite" onSubmit={submit} aria-labelledby="add-team-member-heading">
      <h2 id="add-team-member-heading">Add someone to the team</h2>
      <div className="row">
        <Field label="Email" error={errors.email}>
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Team role" hint="Owners manage the team and its members.">
          <select value={role} onChange={(e) => setRole(e.target.value as TeamRole)}>
            {teamRoles.map((r) => (
              <option key={r} value={r}>
                {teamRoleLabel(r)}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="primary" disabled={add.isPending}>
          {add.isPending ? 'Adding…' : 'Add'}
        </button>
      </div>
      {add.isError &&
        (isStatus(add.error, 404) ? (
          <p className="error-text" role="alert">
            No Atlas account uses that email. Ask them to register first.
          </p>
        ) : (
          <FormError error={add.error} />
        ))}
      {added && (
        <p className="success-text" role="status">
          {added}
        </p>
      )}
    </form>
  );
}
