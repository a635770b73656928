/** Base64 to bytes: the browser's own decoder where it has one (it is much faster), else atob. */

type WithFromBase64 = { fromBase64?: (text: string) => Uint8Array };

export function decodeBase64(text: string): Uint8Array {
  const native = (Uint8Array as unknown as WithFromBase64).fromBase64;
  if (native) return native(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
