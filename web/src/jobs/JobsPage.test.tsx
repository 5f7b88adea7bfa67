import { screen } from '@testing-library/react';
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

  it('lists jobs with their status and last error, filtered from the URL', async () => {
    const fake = fakeApi({
      'GET /api/v1/jobs': () =>
        json(200, page([{ id: 7, type: 'ENRICH_URL', status: 'FAILED', attempts: 3, max_attempts: 3, last_error: 'dial tcp: connection refused', item_id: 'i1' }])),
    });
    await renderSignedIn('/jobs?status=FAILED', fake);
    expect(await screen.findByText('dial tcp: connection refused')).toBeInTheDocument();
    expect(screen.getByText('Failed', { selector: '.badge' })).toBeInTheDocument();
    expect(screen.getByText('3 of 3')).toBeInTheDocument();
    expect(fake.callsTo('GET', '/api/v1/jobs')[0]?.query.get('status')).toBe('FAILED');
  });
});
