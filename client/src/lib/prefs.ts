/** What this browser remembers for the user: only whether safe mode is on (it is unless turned off). */

const SAFE_MODE_KEY = 'serendip.safeMode';

/** Safe mode is on unless this browser was told to turn it off. */
export function readSafeMode(): boolean {
  try {
    return localStorage.getItem(SAFE_MODE_KEY) !== 'off';
  } catch {
    return true; // storage blocked: the safe default
  }
}

export function saveSafeMode(on: boolean): void {
  try {
    localStorage.setItem(SAFE_MODE_KEY, on ? 'on' : 'off');
  } catch {
    // storage blocked: the choice lasts for this page only
  }
}
