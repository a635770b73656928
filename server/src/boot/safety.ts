/** Identity and the bot check, keyed by the secret every instance shares (see boot/database.ts). */
import type { Config } from '../config.ts';
import { Passes } from '../identity/pass.ts';
import { Identities } from '../identity/who.ts';
import type { Admission } from '../ports.ts';
import { BotCheck } from '../safety/challenge.ts';

export interface Safety {
  identities: Identities;
  passes: Passes;
  botCheck: BotCheck;
}

export function openSafety(config: Config, identitySecret: string, admission: Admission): Safety {
  const { cookieSecure, trustedProxyDepth, challengeCost } = config.safety;
  return {
    identities: new Identities(identitySecret, cookieSecure, trustedProxyDepth),
    passes: new Passes(identitySecret, cookieSecure),
    botCheck: new BotCheck(identitySecret, challengeCost, admission),
  };
}
