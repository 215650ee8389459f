/**
 * SHA-256 of some bytes as lower-case hex, via Web Crypto (`crypto.subtle.digest`): available in
 * Node 20, Deno, Cloudflare Workers, Lambda and browsers, so every Graft component (the edge API
 * included) computes the same content address.
 *
 * @example
 * ```ts
 * await sha256(new TextEncoder().encode('abc'));
 * // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export async function sha256(bytes: Uint8Array | string): Promise<string> {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const digest = await globalThis.crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
  const view = new Uint8Array(digest);
  let hex = '';
  for (const byte of view) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
