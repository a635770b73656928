import { protocolSuite } from './protocol.suite.ts';

protocolSuite('real');
