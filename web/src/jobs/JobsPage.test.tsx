import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, json, page } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

describe('JobsPage', () => {
  it('shows a 404 from the jobs API as an error: the route always ships', async () => {
    await renderSignedIn('/jobs', fakeApi({}));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load jobs');
    expect(alert).toHaveTextContent(/not found/);
    expect(screen.queryByText(/not available/)).not.toBeInTheDocument();
  });

  it('says why a job failed in words, keeps the raw error behind a disclosure, filtered from the URL', async () => {
    const fake = fakeApi({
      'GET /api/v1/jobs': () =>
        json(200, page([{ id: 7, type: 'ENRICH_URL', status: 'FAILED', attempts: 1, max_attempts: 5, reason: 'The site answered 404',
          last_error: 'enrich item 01a2: enrich: https://x/ answered 404 Not Found', item_id: 'i1' }])),
    });
    await renderSignedIn('/jobs?status=FAILED', fake);
    expect(await screen.findByText('The site answered 404')).toBeInTheDocument();
    expect(screen.getByText('Failed', { selector: '.badge' })).toBeInTheDocument();
    expect(screen.getByText('Technical details')).toBeInTheDocument();
    expect(screen.getByText(/answered 404 Not Found/)).not.toBeVisible();
    expect(fake.callsTo('GET', '/api/v1/jobs')[0]?.query.get('status')).toBe('FAILED');
  });

  it('shows a retrying job with its next attempt and tries it again', async () => {
    const at = new Date(Date.now() + 3600_000).toISOString();
    const fake = fakeApi({
      'GET /api/v1/jobs': () =>
        json(200, page([{ id: 9, type: 'ENRICH_URL', status: 'RETRYING', attempts: 1, max_attempts: 5, next_attempt: 2, next_attempt_at: at,
          reason: "Couldn't find the server notes.example.com (DNS)", last_error: 'lookup notes.example.com: no such host', item_id: 'i1' }])),
      'POST /api/v1/jobs/:id/retry': () => json(200, { id: 9, status: 'RETRYING' }),
    });
    await renderSignedIn('/jobs', fake);
    const row = (await screen.findByText("Couldn't find the server notes.example.com (DNS)")).closest('tr');
    if (!row) throw new Error('no row');
    expect(within(row).getByText('Retrying', { selector: '.badge' })).toBeInTheDocument();
    expect(within(row).getByText(/attempt 2 of 5/)).toBeInTheDocument();
    await userEvent.click(within(row).getByRole('button', { name: 'Try again' }));
    expect(fake.callsTo('POST', '/api/v1/jobs/9/retry')).toHaveLength(1);
  });
});
