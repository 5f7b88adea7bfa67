// The frame of one collection: its name, your role, and tabs for items, links that need attention, members,
// activity, import and (owners) webhooks.
import { NavLink, Outlet, useOutletContext, useParams } from 'react-router';
import { isStatus } from '../api/problem';
import type { Collection } from '../api/types';
import { roleHelp, RoleBadge } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { ErrorState, Loading } from '../ui/States';
import { ExportMenu } from '../imports/ExportMenu';
import { useCollection } from './hooks';

/** Child pages read the loaded collection from the outlet context. */
export function useCurrentCollection(): Collection {
  return useOutletContext<Collection>();
}

export function CollectionLayout() {
  const { id = '' } = useParams();
  const collection = useCollection(id);

  if (collection.isPending) return <Loading label="Loading collection…" />;
  if (collection.isError) {
    return (
      <ErrorState
        error={collection.error}
        retry={() => collection.refetch()}
        title={isStatus(collection.error, 404) ? 'Collection not found' : 'Could not load this collection'}
      />
    );
  }
  const c = collection.data;
  return (
    <>
      <PageHeader
        title={c.name}
        subtitle={
          <>
            <RoleBadge role={c.role} /> You {roleHelp(c.role)}.{c.description ? ` ${c.description}` : ''}
          </>
        }
      />
      <nav aria-label="Collection" className="tabs">
        <NavLink to={`/collections/${c.id}`} end>
          Items
        </NavLink>
        <NavLink to={`/collections/${c.id}/attention`}>Needs attention</NavLink>
        <NavLink to={`/collections/${c.id}/members`}>Members</NavLink>
        <NavLink to={`/collections/${c.id}/activity`}>Activity</NavLink>
        <NavLink to={`/collections/${c.id}/import`}>Import</NavLink>
        {c.permissions.manage && <NavLink to={`/collections/${c.id}/webhooks`}>Webhooks</NavLink>}
        <ExportMenu collectionId={c.id} />
      </nav>
      <Outlet context={c} />
    </>
  );
}
