// Your teams: create one (you become its owner) and open one to manage it.
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { fieldErrors } from '../api/problem';
import { Field } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ErrorState, FormError, Loading } from '../ui/States';
import { useCreateTeam, useTeams } from './hooks';

export function TeamsPage() {
  const list = useTeams();
  const teams = list.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  return (
    <>
      <PageHeader title="Teams" subtitle="Share a collection with a team: each of its members gets the team's role there." />
      <CreateTeamForm />
      {list.isPending ? (
        <Loading label="Loading teams…" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => list.refetch()} title="Could not load your teams" />
      ) : teams.length === 0 ? (
        <Empty title="No teams yet">
          <p>Create one, or ask a team's owner to add you.</p>
        </Empty>
      ) : (
        <div className="table-wrap stack-narrow">
          <table>
            <caption className="visually-hidden">Your teams</caption>
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Your role</th>
                <th scope="col">Members</th>
              </tr>
            </thead>
            <tbody>
              {teams.map((t) => (
                <tr key={t.id}>
                  <td data-label="Team">
                    <Link to={`/teams/${t.id}`}>{t.name}</Link>
                  </td>
                  <td data-label="Your role">{t.role === 'owner' ? 'Owner' : 'Member'}</td>
                  <td data-label="Members">{t.member_count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <button type="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? 'Loading…' : 'Show more teams'}
        </button>
      )}
    </>
  );
}

function CreateTeamForm() {
  const create = useCreateTeam();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const errors = fieldErrors(create.error);
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(name.trim(), { onSuccess: (t) => navigate(`/teams/${t.id}`) });
  }
  return (
    <form className="panel invite" onSubmit={submit} aria-labelledby="new-team-heading">
      <h2 id="new-team-heading">New team</h2>
      <div className="row">
        <Field label="Team name" error={errors.name}>
          <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <button type="submit" className="primary" disabled={create.isPending || name.trim() === ''}>
          {create.isPending ? 'Creating…' : 'Create team'}
        </button>
      </div>
      <FormError error={create.error} />
    </form>
  );
}
