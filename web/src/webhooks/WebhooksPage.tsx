// A collection's webhooks (owners): register an endpoint, see its secret
// once, watch its deliveries, send one again or send a test event.
import { useState, type FormEvent } from 'react';
import { describeProblem, fieldErrors } from '../api/problem';
import type { Webhook, WebhookDelivery, WebhookEventType } from '../api/types';
import { useCurrentCollection } from '../collections/CollectionLayout';
import { ConfirmDialog } from '../ui/Dialog';
import { Field } from '../ui/Field';
import { formatDateTime } from '../ui/format';
import { Empty, ErrorState, FormError, Loading } from '../ui/States';
import { useCreateWebhook, useDeleteWebhook, useSendAgain, useSendTest, useUpdateWebhook, useWebhookDeliveries, useWebhooks } from './hooks';

/** The event types a webhook may receive (the API's enum; it refuses others). */
const eventTypes: readonly WebhookEventType[] = [
  'ItemCreated',
  'ItemUpdated',
  'ItemDeleted',
  'CollectionUpdated',
  'CollectionDeleted',
  'MembershipAdded',
  'MembershipRoleChanged',
  'MembershipRemoved',
  'ImportFinished',
];

export function WebhooksPage() {
  const collection = useCurrentCollection();
  if (!collection.permissions.manage) {
    return <p className="muted">Only owners manage a collection&apos;s webhooks.</p>;
  }
  return <WebhookList collectionId={collection.id} />;
}

function WebhookList({ collectionId }: { collectionId: string }) {
  const hooks = useWebhooks(collectionId);
  const all = hooks.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  return (
    <section aria-labelledby="webhooks-heading">
      <div className="section-head">
        <h2 id="webhooks-heading">Webhooks</h2>
      </div>
      <p className="muted small">
        Atlas POSTs this collection's events to your endpoints, signed as Standard Webhooks (webhook-id, webhook-timestamp,
        webhook-signature).
      </p>
      <RegisterForm collectionId={collectionId} />
      {hooks.isPending ? (
        <Loading label="Loading webhooks…" />
      ) : hooks.isError ? (
        <ErrorState error={hooks.error} retry={() => hooks.refetch()} title="Could not load the webhooks" />
      ) : all.length === 0 ? (
        <Empty title="No webhooks yet">
          <p>Register one below to have Atlas post this collection&apos;s changes to your service as they happen.</p>
        </Empty>
      ) : (
        <ul className="webhooks" aria-label="Webhooks">
          {all.map((w) => (
            <WebhookCard key={w.id} collectionId={collectionId} webhook={w} />
          ))}
        </ul>
      )}
    </section>
  );
}

function RegisterForm({ collectionId }: { collectionId: string }) {
  const create = useCreateWebhook(collectionId);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<WebhookEventType[]>(['ItemCreated']);
  const [ordered, setOrdered] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const errors = fieldErrors(create.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    setSecret(null);
    create.mutate(
      { url: url.trim(), event_types: types, description: description.trim() || undefined, ordered: ordered || undefined },
      {
        onSuccess: (w) => {
          setSecret(w.secret);
          setUrl('');
          setDescription('');
          setOrdered(false);
        },
      },
    );
  }

  return (
    <form className="panel" onSubmit={submit} aria-labelledby="register-webhook-heading">
      <h3 id="register-webhook-heading">Register a webhook</h3>
      <div className="row">
        <Field label="Endpoint URL" error={errors.url} hint="https:// (private addresses only if your operator allows them)">
          <input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
        </Field>
        <Field label="Description" error={errors.description}>
          <input value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />
        </Field>
      </div>
      <fieldset className="checks">
        <legend>Events</legend>
        {eventTypes.map((t) => (
          <label key={t}>
            <input
              type="checkbox"
              checked={types.includes(t)}
              onChange={(e) => setTypes(e.target.checked ? [...types, t] : types.filter((x) => x !== t))}
            />{' '}
            {t}
          </label>
        ))}
      </fieldset>
      {errors.event_types && <p className="field-error">{errors.event_types}</p>}
      <label>
        <input type="checkbox" checked={ordered} onChange={(e) => setOrdered(e.target.checked)} /> In order per item: an
        item&apos;s later event waits while an earlier one is retried
      </label>
      <button type="submit" className="primary" disabled={create.isPending || types.length === 0}>
        {create.isPending ? 'Registering…' : 'Register webhook'}
      </button>
      {create.isError && !errors.url && !errors.event_types && <FormError error={create.error} />}
      {secret && (
        <div className="success-text" role="status">
          Webhook registered. Its signing secret is shown only now: <code aria-label="Signing secret">{secret}</code>
        </div>
      )}
    </form>
  );
}

function WebhookCard({ collectionId, webhook: w }: { collectionId: string; webhook: Webhook }) {
  const update = useUpdateWebhook(collectionId);
  const remove = useDeleteWebhook(collectionId);
  const test = useSendTest(w.id);
  const [deleting, setDeleting] = useState(false);
  return (
    <li className="panel" aria-label={`Webhook ${w.url}`}>
      <h3 className="webhook-url">{w.url}</h3>
      <p className="muted small">
        {w.description ? `${w.description} · ` : ''}
        {(w.event_types ?? []).join(', ')}
      </p>
      <p>
        {w.enabled ? <span className="badge job-succeeded">Enabled</span> : <span className="badge job-failed">Disabled</span>}
        {w.ordered && <span className="badge"> In order per item</span>}
        {w.disabled_reason && <span className="error-text"> Atlas disabled it: {w.disabled_reason}.</span>}
        {w.failing_since && <span className="muted small"> Failing since {formatDateTime(w.failing_since)}.</span>}
      </p>
      <div className="row">
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          Send test event
        </button>
        <button type="button" onClick={() => update.mutate({ id: w.id, enabled: !w.enabled })} disabled={update.isPending}>
          {w.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" className="danger-link" onClick={() => setDeleting(true)}>
          Delete
        </button>
      </div>
      {test.isError && <FormError error={test.error} />}
      {update.isError && <FormError error={update.error} />}
      <Deliveries webhookId={w.id} />
      <ConfirmDialog
        open={deleting}
        title="Delete webhook?"
        message={`${w.url} will get no more events, and its delivery log is deleted.`}
        confirmLabel="Delete webhook"
        busy={remove.isPending}
        error={remove.error ? describeProblem(remove.error) : null}
        onClose={() => setDeleting(false)}
        onConfirm={() => remove.mutate(w.id, { onSuccess: () => setDeleting(false) })}
      />
    </li>
  );
}

function Deliveries({ webhookId }: { webhookId: string }) {
  const deliveries = useWebhookDeliveries(webhookId);
  const again = useSendAgain(webhookId);
  if (deliveries.isPending) return <Loading label="Loading deliveries…" />;
  if (deliveries.isError) return <ErrorState error={deliveries.error} retry={() => deliveries.refetch()} title="Could not load the deliveries" />;
  const items = deliveries.data.items ?? [];
  if (items.length === 0) return <p className="muted small">No deliveries yet.</p>;
  return (
    <div className="table-wrap stack-narrow">
      <table>
        <caption>Deliveries</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Last answer</th>
            <th scope="col">When</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id}>
              <td data-label="Event">{d.event_type}</td>
              <td data-label="Status">
                <span className={`badge job-${statusClass(d.status)}`}>{d.status}</span>
                {d.reason && <span className="muted small"> {d.reason}</span>}
              </td>
              <td data-label="Last answer">{lastAnswer(d)}</td>
              <td data-label="When">{formatDateTime(d.created_at)}</td>
              <td>
                <button type="button" onClick={() => again.mutate(d.id)} disabled={again.isPending} aria-label={`Send again: ${d.event_type}`}>
                  Send again
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function statusClass(status: WebhookDelivery['status']): string {
  return status === 'delivered' ? 'succeeded' : status === 'failed' ? 'failed' : 'queued';
}

/** The latest attempt: its status code (or error), latency and the start of the answer. */
function lastAnswer(d: WebhookDelivery): string {
  const attempts = d.attempts ?? [];
  const a = attempts[attempts.length - 1];
  if (!a) return '—';
  const head = a.status_code != null ? `HTTP ${a.status_code}` : (a.error ?? a.outcome);
  const excerpt = a.response_excerpt ? ` · ${a.response_excerpt.slice(0, 80)}` : '';
  return `${head} in ${a.latency_ms} ms (${attempts.length} attempt${attempts.length === 1 ? '' : 's'})${excerpt}`;
}
