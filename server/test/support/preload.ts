/** Loaded before every `bun test` run (bunfig.toml): tests that start servers need more than 5 s. */
import { setDefaultTimeout } from 'bun:test';

setDefaultTimeout(30_000);
