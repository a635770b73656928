import { expect, test } from 'bun:test';
import { addressHash, clientAddress, subscriberOf } from './address.ts';

test('behind trusted proxies the address is counted from the right of X-Forwarded-For', () => {
  expect(clientAddress(null, '10.0.0.1', 0)).toBe('10.0.0.1');
  expect(clientAddress('6.6.6.6', '10.0.0.1', 0)).toBe('10.0.0.1'); // no proxy trusted: the header is the client's
  expect(clientAddress('6.6.6.6, 1.2.3.4', '10.0.0.1', 1)).toBe('1.2.3.4'); // the client wrote 6.6.6.6 itself
  expect(clientAddress('1.2.3.4, 10.0.0.7', '10.0.0.1', 2)).toBe('1.2.3.4');
  expect(clientAddress('1.2.3.4', '10.0.0.1', 3)).toBe('1.2.3.4');
  expect(clientAddress(null, '10.0.0.1', 1)).toBe('10.0.0.1');
});

test('an IPv6 subscriber is its /64; a mapped IPv4 address is the IPv4 address', () => {
  expect(subscriberOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
  expect(subscriberOf('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
  expect(subscriberOf('2001:db8::5')).toBe('2001:db8:0:0::/64');
  expect(subscriberOf('::ffff:1.2.3.4')).toBe('1.2.3.4');
  expect(subscriberOf('1.2.3.4')).toBe('1.2.3.4');
});

test('the hash is keyed and stable, and never contains the address', () => {
  const h = addressHash('secret', '1.2.3.4');
  expect(h).toBe(addressHash('secret', '::ffff:1.2.3.4'));
  expect(h).not.toBe(addressHash('other', '1.2.3.4'));
  expect(h).not.toBe(addressHash('secret', '1.2.3.5'));
  expect(h).toMatch(/^a_[\w-]{22}$/);
  expect(h).not.toContain('1.2.3.4');
  expect(addressHash('s', '2001:db8:1:2::1')).toBe(addressHash('s', '2001:db8:1:2:ffff::9'));
});
