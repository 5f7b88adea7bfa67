// Owners share the collection with one of their teams: each of its members gets the role (or their own, if higher).
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { roles, type Role } from '../api/types';
import { useTeams } from '../teams/hooks';
import { Field } from '../ui/Field';
import { roleHelp, roleLabel } from '../ui/format';
import { FormError } from '../ui/States';
import { useAddMember } from './hooks';

export function ShareWithTeamForm({ collectionId }: { collectionId: string }) {
  const teams = useTeams();
  const add = useAddMember(collectionId);
  const mine = teams.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  const [teamId, setTeamId] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [added, setAdded] = useState<string | null>(null);
  const chosen = teamId || mine[0]?.id || '';

  function submit(e: FormEvent) {
    e.preventDefault();
    setAdded(null);
    const name = mine.find((t) => t.id === chosen)?.name ?? 'The team';
    add.mutate({ team_id: chosen, role }, { onSuccess: () => setAdded(`${name} was added as ${roleLabel(role).toLowerCase()}.`) });
  }

  return (
    <form className="panel invite" onSubmit={submit} aria-labelledby="share-team-heading">
      <h3 id="share-team-heading">Share with a team</h3>
      {teams.isSuccess && mine.length === 0 ? (
        <p className="muted small">
          You are in no team yet. <Link to="/teams">Create one</Link> to share with several people at once.
        </p>
      ) : (
        <div className="row">
          <Field label="Team">
            <select value={chosen} onChange={(e) => setTeamId(e.target.value)} disabled={!teams.isSuccess}>
              {mine.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Team's role" hint={roleHelp(role)}>
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" className="primary" disabled={add.isPending || chosen === ''}>
            {add.isPending ? 'Sharing…' : 'Share'}
          </button>
        </div>
      )}
      <FormError error={add.error} />
      {added && (
        <p className="success-text" role="status">
          {added}
        </p>
      )}
    </form>
  );
}
