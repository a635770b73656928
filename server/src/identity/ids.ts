/** Opaque random ids. A prefix says what an id names, which helps when reading logs. */
export function newId(prefix: 'u' | 's' | 'c'): string {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '')}`;
}
