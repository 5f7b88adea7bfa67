// Routes and providers. AppProviders is shared with the tests.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState, type ComponentType, type ReactNode } from 'react';
import { Link, Route, Routes } from 'react-router';
import type { ApiClientOptions } from './api/client';
import { isStatus } from './api/problem';
import { AcceptInvitationPage, VerifyEmailPage } from './email/LinkPages';
import { ForgotPasswordPage, ResetPasswordPage } from './email/PasswordResetPages';
import { LoginPage } from './auth/LoginPage';
import { RegisterPage } from './auth/RegisterPage';
import { RequireAuth } from './auth/RequireAuth';
import { SessionProvider } from './auth/session';
import { CollectionLayout } from './collections/CollectionLayout';
import { CollectionsPage } from './collections/CollectionsPage';
import { ItemsPage } from './items/ItemsPage';
import { NewItemPage } from './items/NewItemPage';
import { SearchPage } from './search/SearchPage';
import { Layout } from './ui/Layout';
import { Empty, Loading } from './ui/States';

/**
 * A page loaded when first opened: the first load carries the collections and items pages only (the
 * JavaScript budget), the others (and DOMPurify with the item page) come as their own chunks.
 */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  const Lazy: ComponentType = lazy(() => load().then((m): { default: ComponentType } => ({ default: m[name] })));
  return function Page() {
    return (
      <Suspense fallback={<Loading />}>
        <Lazy />
      </Suspense>
    );
  };
}

const AccountPage = page(() => import('./account/AccountPage'), 'AccountPage');
const ImportPage = page(() => import('./imports/ImportPage'), 'ImportPage');
const SavePage = page(() => import('./capture/SavePage'), 'SavePage');
const DuplicatesPage = page(() => import('./duplicates/DuplicatesPage'), 'DuplicatesPage');
const ItemPage = page(() => import('./items/ItemPage'), 'ItemPage');
const JobsPage = page(() => import('./jobs/JobsPage'), 'JobsPage');
const NeedsAttentionPage = page(() => import('./links/NeedsAttentionPage'), 'NeedsAttentionPage');
const MembersPage = page(() => import('./members/MembersPage'), 'MembersPage');
const PublicPage = page(() => import('./public/PublicPage'), 'PublicPage');
const TeamPage = page(() => import('./teams/TeamPage'), 'TeamPage');
const TeamsPage = page(() => import('./teams/TeamsPage'), 'TeamsPage');
const WebhooksPage = page(() => import('./webhooks/WebhooksPage'), 'WebhooksPage');
const AuditPage = page(() => import('./audit/AuditPage'), 'AuditPage');
const CollectionActivity = page(() => import('./audit/AuditPage'), 'CollectionActivity');

/** A QueryClient tuned for this API: client errors (4xx) are answers, not glitches, so they are not retried. */
export function newQueryClient(opts: { retryDelay?: number } = {}): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: (count, err) => !isStatus(err, 400, 401, 403, 404, 409, 422) && count < 2,
        ...(opts.retryDelay !== undefined ? { retryDelay: opts.retryDelay } : {}),
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}

/** Query cache and session; the router comes from the caller (BrowserRouter or MemoryRouter). */
export function AppProviders({
  children,
  clientOptions,
  queryClient: given,
}: {
  children: ReactNode;
  clientOptions?: ApiClientOptions;
  /** Tests pass one with short retry delays. */
  queryClient?: QueryClient;
}) {
  const [queryClient] = useState(() => given ?? newQueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider clientOptions={clientOptions}>{children}</SessionProvider>
    </QueryClientProvider>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/register" element={<RegisterPage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route path="/verify-email" element={<VerifyEmailPage />} />
      <Route path="/invitations/accept" element={<AcceptInvitationPage />} />
      {/* A public link's page: no sign-in needed. */}
      <Route path="/p/:token" element={<PublicPage />} />
      <Route element={<RequireAuth />}>
        <Route element={<Layout />}>
          <Route index element={<CollectionsPage />} />
          <Route path="collections/:id" element={<CollectionLayout />}>
            <Route index element={<ItemsPage />} />
            <Route path="items/new" element={<NewItemPage />} />
            <Route path="attention" element={<NeedsAttentionPage />} />
            <Route path="members" element={<MembersPage />} />
            <Route path="activity" element={<CollectionActivity />} />
            <Route path="import" element={<ImportPage />} />
            <Route path="webhooks" element={<WebhooksPage />} />
          </Route>
          <Route path="items/:itemId" element={<ItemPage />} />
          <Route path="search" element={<SearchPage />} />
          <Route path="duplicates" element={<DuplicatesPage />} />
          <Route path="teams" element={<TeamsPage />} />
          <Route path="teams/:teamId" element={<TeamPage />} />
          <Route path="jobs" element={<JobsPage />} />
          <Route path="audit" element={<AuditPage />} />
          <Route path="account" element={<AccountPage />} />
          <Route path="save" element={<SavePage />} />
          <Route
            path="*"
            element={
              <Empty title="Page not found">
                <p>
                  <Link to="/">Go to your collections</Link>
                </p>
              </Empty>
            }
          />
        </Route>
      </Route>
    </Routes>
  );
}
