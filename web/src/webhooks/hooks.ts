// Server state of a collection's webhooks and their delivery logs.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { WebhookEventType } from '../api/types';
import { useSession } from '../auth/session';

export const webhookKeys = {
  list: (collectionId: string) => ['webhooks', collectionId] as const,
  deliveries: (webhookId: string) => ['webhook-deliveries', webhookId] as const,
};

export function useWebhooks(collectionId: string) {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: webhookKeys.list(collectionId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/collections/{id}/webhooks', { params: { path: { id: collectionId }, query: { limit: 100, cursor: pageParam } }, signal }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useCreateWebhook(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { url: string; event_types: WebhookEventType[]; description?: string; ordered?: boolean }) =>
      unwrap(api.POST('/api/v1/collections/{id}/webhooks', { params: { path: { id: collectionId } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.list(collectionId) }),
  });
}

export function useUpdateWebhook(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      unwrap(api.PATCH('/api/v1/webhooks/{id}', { params: { path: { id } }, body: { enabled } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.list(collectionId) }),
  });
}

export function useDeleteWebhook(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.list(collectionId) }),
  });
}

/** The newest deliveries of a webhook, refreshed every 2 s while any is pending. */
export function useWebhookDeliveries(webhookId: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: webhookKeys.deliveries(webhookId),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/webhooks/{id}/deliveries', { params: { path: { id: webhookId }, query: { limit: 20 } }, signal })),
    refetchInterval: (q) => ((q.state.data?.items ?? []).some((d) => d.status === 'pending') ? 2000 : false),
  });
}

export function useSendTest(webhookId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/webhooks/{id}/test', { params: { path: { id: webhookId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.deliveries(webhookId) }),
  });
}

export function useSendAgain(webhookId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST('/api/v1/webhooks/{id}/deliveries/{delivery_id}/send-again', { params: { path: { id: webhookId, delivery_id: deliveryId } } }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.deliveries(webhookId) }),
  });
}
