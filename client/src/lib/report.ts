/** What a report says: one category (a required choice) and optional details, as the server reads it. */
import { MAX_REPORT_REASON_LENGTH } from '../../../server/src/protocol.ts';

/** The categories, in the order the dialog offers them, with what the user reads. */
export const REPORT_CATEGORIES = [
  ['nudity', 'Nudity or sexual content'],
  ['harassment', 'Harassment or hate'],
  ['spam', 'Spam or advertising'],
  ['underage', 'Looks under 18'],
  ['violence', 'Violence or threats'],
  ['other', 'Something else'],
] as const;

export type ReportCategory = (typeof REPORT_CATEGORIES)[number][0];

/** `"<category>"` or `"<category>: <details>"`, within the protocol's limit. */
export function reportReason(category: ReportCategory, details: string): string {
  const text = details.replace(/\s+/g, ' ').trim();
  return (text ? `${category}: ${text}` : category).slice(0, MAX_REPORT_REASON_LENGTH);
}
