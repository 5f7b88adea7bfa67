// Routes and providers. AppProviders is shared with the tests.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, Route, Routes } from 'react-router';
import { AccountPage } from './account/AccountPage';
import type { ApiClientOptions } from './api/client';
import { isStatus } from './api/problem';
import { AuditPage, CollectionActivity } from './audit/AuditPage';
import { AcceptInvitationPage, VerifyEmailPage } from './email/LinkPages';
import { ForgotPasswordPage, ResetPasswordPage } from './email/PasswordResetPages';
import { ImportPage } from './imports/ImportPage';
import { LoginPage } from './auth/LoginPage';
import { RegisterPage } from './auth/RegisterPage';
import { RequireAuth } from './auth/RequireAuth';
import { SessionProvider } from './auth/session';
import { CollectionLayout } from './collections/CollectionLayout';
import { CollectionsPage } from './collections/CollectionsPage';
import { SavePage } from './capture/SavePage';
import { DuplicatesPage } from './duplicates/DuplicatesPage';
import { ItemPage } from './items/ItemPage';
import { ItemsPage } from './items/ItemsPage';
import { NewItemPage } from './items/NewItemPage';
import { JobsPage } from './jobs/JobsPage';
import { NeedsAttentionPage } from './links/NeedsAttentionPage';
import { MembersPage } from './members/MembersPage';
import { PublicPage } from './public/PublicPage';
import { SearchPage } from './search/SearchPage';
import { TeamPage } from './teams/TeamPage';
import { TeamsPage } from './teams/TeamsPage';
import { Layout } from './ui/Layout';
import { Empty } from './ui/States';
import { WebhooksPage } from './webhooks/WebhooksPage';

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
