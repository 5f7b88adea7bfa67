import { describe, expect, it } from 'vitest';
import { ApiError, describeProblem, fieldErrors, fieldLabel, plainMessage } from './problem';

describe('describeProblem', () => {
  it('explains each status in plain words', () => {
    expect(describeProblem(new ApiError(0, { title: 'Network error' }))).toMatch(/could not be reached/);
    expect(describeProblem(new ApiError(401, { title: 'Unauthorized' }))).toMatch(/sign in again/);
    expect(describeProblem(new ApiError(403, { title: 'Forbidden', detail: 'forbidden' }))).toMatch(/do not have permission/);
    expect(describeProblem(new ApiError(404, { title: 'Not Found' }))).toMatch(/not found.*not have access/);
    expect(describeProblem(new ApiError(500, { title: 'Internal', detail: 'internal error; quote request id X' }))).toMatch(
      /went wrong on the server/,
    );
  });

  it('keeps the server detail of a conflict, as a sentence', () => {
    const err = new ApiError(409, { title: 'Conflict', detail: 'a collection must keep at least one owner' });
    expect(describeProblem(err)).toBe('A collection must keep at least one owner. (conflict)');
  });

  it('lists field problems of a validation error', () => {
    const err = new ApiError(422, {
      title: 'Unprocessable Entity',
      detail: 'validation failed',
      errors: [
        { location: 'body.password', message: 'expected length >= 10', value: 'short' },
        { location: 'body.display_name', message: 'expected length >= 1' },
      ],
    });
    expect(describeProblem(err)).toBe(
      'Please check the form: Password must be at least 10 characters. Display name must be at least 1 characters.',
    );
    expect(fieldErrors(err)).toEqual({
      password: 'Password must be at least 10 characters.',
      display_name: 'Display name must be at least 1 characters.',
    });
  });

  it('does not crash on non-API errors', () => {
    expect(describeProblem(new Error('boom'))).toBe('Something went wrong: boom');
    expect(describeProblem('??')).toBe('Something went wrong.');
    expect(fieldErrors(new Error('x'))).toEqual({});
  });
});

describe('field helpers', () => {
  it('labels locations', () => {
    expect(fieldLabel('body.source_url')).toBe('Source url');
    expect(fieldLabel('query.tag[2]')).toBe('Tag');
    expect(fieldLabel(undefined)).toBe('');
  });
  it('rewrites validator jargon', () => {
    expect(plainMessage('expected length <= 200')).toBe('must be at most 200 characters');
    expect(plainMessage('expected value to be one of "owner, editor, viewer"')).toBe('must be one of: owner, editor, viewer');
    expect(plainMessage('something else')).toBe('something else');
  });
});
