// SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, as lower-case hex: what `sha256sum` prints
// for a file holding that text (Node writes the artifacts as UTF-8). For the checksums of the
// persist artifacts; the hash is @noble/hashes' (audited, pure JS, no Node built-ins).

import { sha256 as sha256Bytes } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export function sha256(text: string): string {
  return bytesToHex(sha256Bytes(utf8ToBytes(text)));
}
