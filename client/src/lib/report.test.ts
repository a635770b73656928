import { describe, expect, test } from 'bun:test';
import { MAX_REPORT_REASON_LENGTH } from '../../../server/src/protocol.ts';
import { REPORT_CATEGORIES, reportReason } from './report.ts';

describe('reportReason', () => {
  test('the category alone, or the category and the details on one line', () => {
    expect(reportReason('spam', '')).toBe('spam');
    expect(reportReason('spam', '   ')).toBe('spam');
    expect(reportReason('harassment', ' called me\nnames  ')).toBe('harassment: called me names');
  });

  test('never longer than the protocol allows', () => {
    expect(reportReason('other', 'x'.repeat(900))).toHaveLength(MAX_REPORT_REASON_LENGTH);
  });

  test('the six categories the server knows', () => {
    expect(REPORT_CATEGORIES.map(([c]) => c)).toEqual([
      'nudity',
      'harassment',
      'spam',
      'underage',
      'violence',
      'other',
    ]);
  });
});
