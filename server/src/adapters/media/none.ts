/** No media server configured: text mode only, `hello.video` is false and `matched` carries nulls. */
import type { Media } from '../../ports.ts';

export const noMedia: Media = {
  available: () => false,
  grant: () => null,
  closeRoom: () => {},
};
