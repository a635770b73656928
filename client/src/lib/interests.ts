/**
 * The interests box: "music, Cats  films" → ["music", "cats", "films"], within the protocol's
 * limits, so the server never has to refuse what the user typed.
 */
import { MAX_INTEREST_LENGTH, MAX_INTERESTS } from '../../../server/src/protocol.ts';

export interface Interests {
  tags: string[];
  /** Why some of what was typed will not be used; null when all of it is. */
  problem: string | null;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what the server refuses
const CONTROL = /[\u0000-\u001f]/g;

export function parseInterests(input: string): Interests {
  const tags: string[] = [];
  let problem: string | null = null;
  for (const raw of input.split(/[,;\n]+/)) {
    const tag = raw.trim().toLowerCase().replace(CONTROL, '').replace(/\s+/g, ' ');
    if (!tag || tags.includes(tag)) continue;
    if (tag.length > MAX_INTEREST_LENGTH) {
      problem = `Interests are at most ${MAX_INTEREST_LENGTH} characters each.`;
      continue;
    }
    if (tags.length === MAX_INTERESTS) {
      problem = `Only the first ${MAX_INTERESTS} interests are used.`;
      break;
    }
    tags.push(tag);
  }
  return { tags, problem };
}
