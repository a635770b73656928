import { expect, test } from 'bun:test';
import { ADULT, cookieValue, DEVICE_COOKIE, DeviceCookies, newDeviceId } from './device.ts';

test('a device cookie reads back its id and flags; an altered or foreign one does not', () => {
  const cookies = new DeviceCookies('secret', true);
  const id = newDeviceId();
  const header = cookies.header({ id, flags: ADULT });
  expect(header).toContain('HttpOnly');
  expect(header).toContain('SameSite=Lax');
  expect(header).toContain('Secure');
  const value = cookieValue(header.split(';')[0] ?? '', DEVICE_COOKIE);
  expect(cookies.read(value)).toEqual({ id, flags: ADULT });
  expect(cookies.read(value?.replace('.1.', '.0.'))).toBeNull();
  expect(new DeviceCookies('other', true).read(value)).toBeNull();
  expect(cookies.read('garbage')).toBeNull();
  expect(cookies.read(undefined)).toBeNull();
  expect(new DeviceCookies('s', false).header({ id, flags: 0 })).not.toContain('Secure');
});

test('cookie values are found among others', () => {
  expect(cookieValue('a=1; serendip_device=x.y.z; b=2', 'serendip_device')).toBe('x.y.z');
  expect(cookieValue('a=1', 'serendip_device')).toBeUndefined();
  expect(cookieValue(null, 'a')).toBeUndefined();
});
