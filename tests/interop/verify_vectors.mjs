// cookieseal - an independent decoder of wire format v1 (docs/FORMAT.md), checking its test vectors
//
// Written from docs/FORMAT.md alone, with nothing but Node's built-in `crypto` (no npm
// packages): strict base64url, keyed BLAKE2b (RFC 7693) for key ids, HChaCha20
// (draft-irtf-cfrg-xchacha §2.2) for the XChaCha20 subkey, and Node's RFC 8439
// `chacha20-poly1305` for the AEAD. It opens the FORMAT.md vectors, checks the documented
// errors of the negative vectors, seals the vectors again byte for byte, and fails when a
// vector here does not appear verbatim in docs/FORMAT.md (so the two cannot drift).
//
// Run: node tests/interop/verify_vectors.mjs   (meson: `meson test --suite interop`)
// Prints one line per check, then `N passed, M failed`; exits 1 on any failure.

import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// --- the vectors, as docs/FORMAT.md gives them -------------------------------------------

const KEY_A_TEXT = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const KEY_B_TEXT = '__79_Pv6-fj39vX08_Lx8O_u7ezr6uno5-bl5OPi4eA';
const KEY_A_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const KEY_A_DIGEST = 'dacd950af192cc7437977bf003d60163fd90e2c94d00ff343ae9f19f28073906';
const KEY_B_DIGEST = 'b229c9fb8fd882353404428e32ad821c6b0de1a7738d124f75ae87b1548ec7be';
const V1_SUBKEY = '001b38f1bc654a0470f0172049103eccb67d8bb16b11d2a468db66a2dd53d47d';

const V1 = 'AdrNlQoAAAAAaVW5AEBBQkNERUZHSElKS0xNTk9QUVJTVFVWV9U8BXDQ4HkWj5zi0sPzqmIIimNfYzVFMRxqGmquaA';
const V2 = 'AdrNlQoAAAAAaVW5AKChoqOkpaanqKmqq6ytrq-wsbKztLW2t0TolJfQm00OBWaT3r86Dy8t';
const V3 = 'AbIpyfsAAAAA9IZXAEBBQkNERUZHSElKS0xNTk9QUVJTVFVWVx1fJIy5Ulk_W7C8KhhUB8ZE4wxSXkHdwDLZ6Pm4Lb2akwmQBxQ';
const V4 = 'AdrNlQoAAAAAaVW5AMDBwsPExcbHyMnKy8zNzs_Q0dLT1NXW1_CeitOcFpWT4Ku_mzgHXNT029ke6yk4zi1O4d-E-A';
const V5 = 'AdrNlQoAAAAAaVW5AGBhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d7TfsSZWCFQoI3-YQ20fgCH7_s1rUuNm3MznHOlc0Q';
const V6 = 'AdrNlQoAAAAAaVW5AICBgoOEhYaHiImKi4yNjo-QkZKTlJWWl0DrWVnnlENqHHBGlyPSTl-cz4R9_0KAxDaM4HJYCQ';
const V1_VERSION_2 = 'AtrNlQoAAAAAaVW5AEBBQkNERUZHSElKS0xNTk9QUVJTVFVWV9U8BXDQ4HkWj5zi0sPzqmIIimNfYzVFMRxqGmquaA';
const V1_KEY_ID = 'AdvNlQoAAAAAaVW5AEBBQkNERUZHSElKS0xNTk9QUVJTVFVWV9U8BXDQ4HkWj5zi0sPzqmIIimNfYzVFMRxqGmquaA';
const V1_EXPIRES = 'AdrNlQoAAAAAaVW5AUBBQkNERUZHSElKS0xNTk9QUVJTVFVWV9U8BXDQ4HkWj5zi0sPzqmIIimNfYzVFMRxqGmquaA';

const T2026 = 1767225600n;  // 2026-01-01T00:00:00Z
const T2100 = 4102444800n;  // 2100-01-01T00:00:00Z

const range = (first, n) => Buffer.from(Array.from({ length: n }, (_, i) => (first + i) & 0xff));
const KEY_A = range(0x00, 32);
const KEY_B = Buffer.from(Array.from({ length: 32 }, (_, i) => 0xff - i));

// name, key, expires_at, nonce, plaintext hex, text, and what the plaintext decodes to.
const SEALED = [
  { label: 'vector 1', key: KEY_A, keyId: 'dacd950a', name: 'session', expires: T2026, nonce: range(0x40, 24),
    plaintext: '01050000000000000068656c6c6f', text: V1, type: 'string', value: 'hello' },
  { label: 'vector 2', key: KEY_A, keyId: 'dacd950a', name: '', expires: T2026, nonce: range(0xa0, 24),
    plaintext: '01', text: V2, type: 'empty', value: {} },
  { label: 'vector 3', key: KEY_B, keyId: 'b229c9fb', name: '__Host-session', expires: T2100, nonce: range(0x40, 24),
    plaintext: '012a00000000000000030000000000000061646101', text: V3, type: 'user',
    value: { id: 42n, name: 'ada', admin: true } },
  { label: 'vector 4 (big-endian flag)', key: KEY_A, keyId: 'dacd950a', name: 'session', expires: T2026,
    nonce: range(0xc0, 24), plaintext: '00000000000000000568656c6c6f', text: V4, type: 'string', value: 'hello' },
  { label: 'vector 5', key: KEY_A, keyId: 'dacd950a', name: 'session', expires: T2026, nonce: range(0x60, 24),
    plaintext: '01060000000000000068656c6c6f', text: V5 },
  { label: 'vector 6', key: KEY_A, keyId: 'dacd950a', name: 'session', expires: T2026, nonce: range(0x80, 24),
    plaintext: '02050000000000000068656c6c6f', text: V6 },
];

// --- base64url without padding, canonical only (FORMAT.md §Cookie value) -------------------

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE_OF = new Map([...ALPHABET].map((c, i) => [c, i]));

function base64urlEncode(bytes) {
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const w = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[w >> 18] + ALPHABET[(w >> 12) & 63] + ALPHABET[(w >> 6) & 63] + ALPHABET[w & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const w = bytes[i] << 16;
    out += ALPHABET[w >> 18] + ALPHABET[(w >> 12) & 63];
  } else if (rest === 2) {
    const w = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[w >> 18] + ALPHABET[(w >> 12) & 63] + ALPHABET[(w >> 6) & 63];
  }
  return out;
}

/** The raw bytes, or null when the text is not canonical unpadded base64url. */
function base64urlDecode(text) {
  if (text.length % 4 === 1) return null;
  const out = [];
  let acc = 0;
  let bits = 0;
  for (const c of text) {
    const v = VALUE_OF.get(c);
    if (v === undefined) return null;  // '=', '+', '/', whitespace, anything else
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  if (acc !== 0) return null;  // unused low bits of the last character must be zero
  return Buffer.from(out);
}

// --- BLAKE2b (RFC 7693), keyed, any digest length, on BigInt words --------------------------

const MASK64 = (1n << 64n) - 1n;
const B2B_IV = [
  0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n,
];
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

const rotr64 = (x, n) => ((x >> n) | (x << (64n - n))) & MASK64;

function blake2bCompress(h, block, t, last) {
  const m = Array.from({ length: 16 }, (_, i) => block.readBigUInt64LE(8 * i));
  const v = [...h, ...B2B_IV];
  v[12] ^= t & MASK64;
  v[13] ^= t >> 64n;
  if (last) v[14] ^= MASK64;
  const g = (a, b, c, d, x, y) => {
    v[a] = (v[a] + v[b] + x) & MASK64; v[d] = rotr64(v[d] ^ v[a], 32n);
    v[c] = (v[c] + v[d]) & MASK64;     v[b] = rotr64(v[b] ^ v[c], 24n);
    v[a] = (v[a] + v[b] + y) & MASK64; v[d] = rotr64(v[d] ^ v[a], 16n);
    v[c] = (v[c] + v[d]) & MASK64;     v[b] = rotr64(v[b] ^ v[c], 63n);
  };
  for (let r = 0; r < 12; ++r) {
    const s = SIGMA[r % 10];
    g(0, 4, 8, 12, m[s[0]], m[s[1]]);
    g(1, 5, 9, 13, m[s[2]], m[s[3]]);
    g(2, 6, 10, 14, m[s[4]], m[s[5]]);
    g(3, 7, 11, 15, m[s[6]], m[s[7]]);
    g(0, 5, 10, 15, m[s[8]], m[s[9]]);
    g(1, 6, 11, 12, m[s[10]], m[s[11]]);
    g(2, 7, 8, 13, m[s[12]], m[s[13]]);
    g(3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (let i = 0; i < 8; ++i) h[i] ^= v[i] ^ v[i + 8];
}

/** BLAKE2b with an nn-byte digest (1..64) and an optional key of up to 64 bytes. */
function blake2b(message, nn, key = Buffer.alloc(0)) {
  if (nn < 1 || nn > 64 || key.length > 64) throw new Error('blake2b: bad parameters');
  const h = [...B2B_IV];
  h[0] ^= 0x01010000n ^ (BigInt(key.length) << 8n) ^ BigInt(nn);
  // The key, padded to a whole block, is the first block of the data.
  const keyBlock = key.length > 0 ? Buffer.concat([key, Buffer.alloc(128 - key.length)]) : Buffer.alloc(0);
  const data = Buffer.concat([keyBlock, message]);
  const blocks = Math.max(1, Math.ceil(data.length / 128));
  for (let i = 0; i < blocks; ++i) {
    const last = i === blocks - 1;
    const block = Buffer.alloc(128);
    data.copy(block, 0, 128 * i, Math.min(data.length, 128 * (i + 1)));
    blake2bCompress(h, block, BigInt(last ? data.length : 128 * (i + 1)), last);
  }
  const out = Buffer.alloc(64);
  h.forEach((w, i) => out.writeBigUInt64LE(w, 8 * i));
  return out.subarray(0, nn);
}

/** FORMAT.md §Key id: first 4 bytes of BLAKE2b-256 keyed with the key over "cookieseal-key-id". */
const keyId = (key) => blake2b(Buffer.from('cookieseal-key-id', 'ascii'), 32, key).subarray(0, 4);

// --- HChaCha20 (draft-irtf-cfrg-xchacha §2.2) ----------------------------------------------

/** 32-byte subkey from a 32-byte key and 16 bytes of nonce. */
function hchacha20(key, nonce16) {
  const s = new Uint32Array(16);
  s.set([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);  // "expand 32-byte k"
  for (let i = 0; i < 8; ++i) s[4 + i] = key.readUInt32LE(4 * i);
  for (let i = 0; i < 4; ++i) s[12 + i] = nonce16.readUInt32LE(4 * i);
  const rotl = (x, n) => (x << n) | (x >>> (32 - n));
  const qr = (a, b, c, d) => {
    s[a] += s[b]; s[d] = rotl(s[d] ^ s[a], 16);
    s[c] += s[d]; s[b] = rotl(s[b] ^ s[c], 12);
    s[a] += s[b]; s[d] = rotl(s[d] ^ s[a], 8);
    s[c] += s[d]; s[b] = rotl(s[b] ^ s[c], 7);
  };
  for (let i = 0; i < 10; ++i) {
    qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15);
    qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14);
  }
  const out = Buffer.alloc(32);
  [0, 1, 2, 3, 12, 13, 14, 15].forEach((w, i) => out.writeUInt32LE(s[w], 4 * i));
  return out;
}

// --- XChaCha20-Poly1305 (IETF) on Node's RFC 8439 ChaCha20-Poly1305 -------------------------

function xchachaParams(key, nonce24) {
  const subkey = hchacha20(key, nonce24.subarray(0, 16));
  const iv = Buffer.concat([Buffer.alloc(4), nonce24.subarray(16, 24)]);
  return { subkey, iv };
}

function xchachaEncrypt(key, nonce24, plaintext, ad) {
  const { subkey, iv } = xchachaParams(key, nonce24);
  const c = crypto.createCipheriv('chacha20-poly1305', subkey, iv, { authTagLength: 16 });
  c.setAAD(ad, { plaintextLength: plaintext.length });
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([body, c.getAuthTag()]);
}

/** The plaintext, or null when the tag does not verify. */
function xchachaDecrypt(key, nonce24, ciphertext, ad) {
  const { subkey, iv } = xchachaParams(key, nonce24);
  const d = crypto.createDecipheriv('chacha20-poly1305', subkey, iv, { authTagLength: 16 });
  d.setAAD(ad, { plaintextLength: ciphertext.length - 16 });
  d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const body = d.update(ciphertext.subarray(0, ciphertext.length - 16));
  try {
    return Buffer.concat([body, d.final()]);
  } catch {
    return null;
  }
}

// --- wire format v1 (FORMAT.md §Encoding, §Decoding) ----------------------------------------

const HEADER_BYTES = 37;
const MIN_RAW_BYTES = 53;

function seal(key, name, expires, nonce, plaintext) {
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = 0x01;
  keyId(key).copy(header, 1);
  header.writeBigUInt64BE(expires, 5);
  nonce.copy(header, 13);
  const ad = Buffer.concat([header, Buffer.from(name, 'latin1')]);
  return base64urlEncode(Buffer.concat([header, xchachaEncrypt(key, nonce, plaintext, ad)]));
}

/** FORMAT.md §Decoding steps 1-6. Returns { error } or { plaintext, keyId, expires, needsReseal }. */
function open(value, name, { keys, now, leeway = 60n, maxValueBytes = 4096 }) {
  if (value.length > maxValueBytes) return { error: 'too_large' };                      // 1
  const raw = base64urlDecode(value);                                                    // 2
  if (raw === null || raw.length < MIN_RAW_BYTES) return { error: 'malformed' };
  if (raw[0] !== 0x01) return { error: 'unsupported_version' };                          // 3
  const id = raw.subarray(1, 5).toString('hex');                                         // 4
  const ring = new Map(keys.map((k, i) => [keyId(k).toString('hex'), i]));
  if (!ring.has(id)) return { error: 'unknown_key' };
  const index = ring.get(id);
  const header = raw.subarray(0, HEADER_BYTES);                                          // 5
  const ad = Buffer.concat([header, Buffer.from(name, 'latin1')]);
  const plaintext = xchachaDecrypt(keys[index], raw.subarray(13, 37), raw.subarray(HEADER_BYTES), ad);
  if (plaintext === null) return { error: 'tampered' };
  const expires = raw.readBigUInt64BE(5);                                                // 6
  if (now > 0n && now > expires && now - expires > leeway) return { error: 'expired' };
  return { plaintext, keyId: id, expires, needsReseal: index !== 0 };
}

// A reader of cereal PortableBinary (FORMAT.md §Payload), for the vectors' types.
class PayloadReader {
  constructor(bytes) {
    this.bytes = bytes;
    this.at = 0;
    const flag = this.take(1)[0];
    if (flag !== 0 && flag !== 1) throw new Error('endianness flag');
    this.little = flag === 1;
  }
  take(n) {
    if (n > this.bytes.length - this.at) throw new Error('truncated');
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u64() {
    const b = this.take(8);
    return this.little ? b.readBigUInt64LE() : b.readBigUInt64BE();
  }
  bool() {
    const b = this.take(1)[0];
    if (b > 1) throw new Error('bool');
    return b === 1;
  }
  size() {
    const n = this.u64();
    if (n > BigInt(this.bytes.length - this.at)) throw new Error('length prefix exceeds the data');
    return Number(n);
  }
  string() { return this.take(this.size()).toString('latin1'); }
}

const READERS = {
  empty: () => ({}),
  string: (r) => r.string(),
  u64: (r) => r.u64(),
  user: (r) => ({ id: r.u64(), name: r.string(), admin: r.bool() }),
};

/** FORMAT.md §Decoding, all 7 steps, with the payload read as `type`. */
function decode(type, value, name, options) {
  const opened = open(value, name, options);
  if (opened.error) return opened;
  try {
    const reader = new PayloadReader(opened.plaintext);
    const result = READERS[type](reader);
    if (reader.at !== opened.plaintext.length) return { error: 'bad_payload' };  // bytes left over
    return { ...opened, value: result };
  } catch {
    return { error: 'bad_payload' };
  }
}

/** Key::parse's text forms (FORMAT.md §Key text); null when rejected. */
function parseKey(text) {
  const t = text.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '');
  let bytes = null;
  if (t.length === 64 && /^[0-9a-fA-F]{64}$/.test(t)) bytes = Buffer.from(t, 'hex');
  else if (t.length === 43) bytes = base64urlDecode(t);
  if (bytes === null || bytes.every((b) => b === 0)) return null;
  return bytes;
}

// --- checks -------------------------------------------------------------------------------

let passed = 0;
let failed = 0;

function check(label, ok, detail = '') {
  if (ok) ++passed;
  else ++failed;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}${!ok && detail ? ` (${detail})` : ''}`);
}

function checkEqual(label, actual, expected) {
  const a = typeof actual === 'string' ? actual : JSON.stringify(actual, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
  const e = typeof expected === 'string' ? expected : JSON.stringify(expected, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
  check(label, a === e, `got ${a}, expected ${e}`);
}

function guarded(label, fn) {
  try {
    fn();
  } catch (e) {
    check(label, false, `threw ${e && e.message}`);
  }
}

// Primitives against their published known answers.
guarded('primitives', () => {
  checkEqual('HChaCha20: draft-irtf-cfrg-xchacha-03 §2.2.1 test vector',
    hchacha20(Buffer.from(KEY_A_HEX, 'hex'), Buffer.from('000000090000004a0000000031415927', 'hex')).toString('hex'),
    '82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc');
  checkEqual('BLAKE2b-512("abc"): RFC 7693 Appendix A',
    blake2b(Buffer.from('abc'), 64).toString('hex'),
    'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1' +
    '7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923');
  const key64 = range(0, 64);
  checkEqual('BLAKE2b-512 keyed, empty message: blake2b-kat.txt first entry',
    blake2b(Buffer.alloc(0), 64, key64).toString('hex'),
    '10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786' +
    'b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568');
  checkEqual('BLAKE2b-512 keyed, message 00..fe: blake2b-kat.txt last entry',
    blake2b(range(0, 255), 64, key64).toString('hex'),
    '142709d62e28fcccd0af97fad0f8465b971e82201dc51070faa0372aa43e9248' +
    '4be1c1e73ba10906d5d1853db6a4106e0a7bf9800d373d6dee2d46d62ef2a461');
  let mismatch = -1;
  for (let n = 0; n <= 300 && mismatch < 0; ++n) {
    const m = range(n * 7, n);
    if (!blake2b(m, 64).equals(crypto.createHash('blake2b512').update(m).digest())) mismatch = n;
  }
  check('BLAKE2b-512 unkeyed equals node blake2b512 for messages of 0..300 bytes', mismatch < 0,
    `differs at length ${mismatch}`);
});

// Keys and key ids (FORMAT.md §Key id, §Key text).
guarded('keys', () => {
  checkEqual('key A text parses to 00 01 .. 1f', (parseKey(KEY_A_TEXT) ?? Buffer.alloc(0)).toString('hex'), KEY_A.toString('hex'));
  checkEqual('key B text parses to ff fe .. e0', (parseKey(KEY_B_TEXT) ?? Buffer.alloc(0)).toString('hex'), KEY_B.toString('hex'));
  checkEqual('key A hex (upper case, surrounding whitespace) parses', (parseKey(` ${KEY_A_HEX.toUpperCase()}\n`) ?? Buffer.alloc(0)).toString('hex'), KEY_A_HEX);
  checkEqual('key A encodes to its text', base64urlEncode(KEY_A), KEY_A_TEXT);
  checkEqual('key B encodes to its text', base64urlEncode(KEY_B), KEY_B_TEXT);
  check('key text with padding is rejected', parseKey(`${KEY_A_TEXT}=`) === null);
  check('key text with non-zero unused bits is rejected', parseKey(`${KEY_A_TEXT.slice(0, 42)}9`) === null);
  check('the all-zero key is rejected', parseKey('0'.repeat(64)) === null && parseKey('A'.repeat(43)) === null);
  checkEqual('key A BLAKE2b-256 digest', blake2b(Buffer.from('cookieseal-key-id'), 32, KEY_A).toString('hex'), KEY_A_DIGEST);
  checkEqual('key B BLAKE2b-256 digest', blake2b(Buffer.from('cookieseal-key-id'), 32, KEY_B).toString('hex'), KEY_B_DIGEST);
  checkEqual('key A id', keyId(KEY_A).toString('hex'), 'dacd950a');
  checkEqual('key B id', keyId(KEY_B).toString('hex'), 'b229c9fb');
  checkEqual('vector 1 XChaCha20 subkey', xchachaParams(KEY_A, range(0x40, 24)).subkey.toString('hex'), V1_SUBKEY);
});

// (a) The vectors open, (c) sealing them again gives the same bytes.
for (const v of SEALED) {
  guarded(v.label, () => {
    const opened = open(v.text, v.name, { keys: [v.key], now: v.expires });
    check(`${v.label}: opens`, !opened.error, opened.error);
    if (opened.error) return;
    checkEqual(`${v.label}: plaintext`, opened.plaintext.toString('hex'), v.plaintext);
    checkEqual(`${v.label}: key id`, opened.keyId, v.keyId);
    checkEqual(`${v.label}: expires_at`, opened.expires, v.expires);
    if (v.type) {
      const decoded = decode(v.type, v.text, v.name, { keys: [v.key], now: v.expires });
      checkEqual(`${v.label}: payload as ${v.type}`, decoded.error ?? decoded.value, v.value);
    }
    checkEqual(`${v.label}: sealing again gives the same text`,
      seal(v.key, v.name, v.expires, v.nonce, Buffer.from(v.plaintext, 'hex')), v.text);
  });
}
checkEqual('vector 2 is 72 characters (the shortest cookie)', V2.length, 72);

// (b) The negative vectors give the documented errors (FORMAT.md §Negative vectors).
guarded('negative vectors', () => {
  const edit = (offset, byte) => {
    const raw = base64urlDecode(V1);
    raw[offset] = byte;
    return base64urlEncode(raw);
  };
  checkEqual('V1 with version byte 02 is the documented text', edit(0, 0x02), V1_VERSION_2);
  checkEqual('V1 with key id dbcd950a is the documented text', edit(1, 0xdb), V1_KEY_ID);
  checkEqual('V1 with expires_at + 1 is the documented text', edit(12, 0x01), V1_EXPIRES);

  const A = { keys: [KEY_A], now: T2026 };
  const cases = [
    ['V1 with max_value_bytes 89', 'string', V1, 'session', { ...A, maxValueBytes: 89 }, 'too_large'],
    ['V1 with max_value_bytes 90', 'string', V1, 'session', { ...A, maxValueBytes: 90 }, 'hello'],
    ['V1 + "="', 'string', `${V1}=`, 'session', A, 'malformed'],
    ['V1 last character B (unused bits set)', 'string', `${V1.slice(0, -1)}B`, 'session', A, 'malformed'],
    ['V1 without its last character', 'string', V1.slice(0, -1), 'session', A, 'malformed'],
    ['V1 with "+" as 3rd character', 'string', `${V1.slice(0, 2)}+${V1.slice(3)}`, 'session', A, 'malformed'],
    ['V1 with a space appended', 'string', `${V1} `, 'session', A, 'malformed'],
    ['first 70 characters of V1 (52 bytes)', 'string', V1.slice(0, 70), 'session', A, 'malformed'],
    ['V1 with version 02', 'string', V1_VERSION_2, 'session', A, 'unsupported_version'],
    ['V1 with key id dbcd950a', 'string', V1_KEY_ID, 'session', A, 'unknown_key'],
    ['V1 with keyring {B}', 'string', V1, 'session', { ...A, keys: [KEY_B] }, 'unknown_key'],
    ['V1 as name "other"', 'string', V1, 'other', A, 'tampered'],
    ['V1 as name "Session"', 'string', V1, 'Session', A, 'tampered'],
    ['V1 with expires_at + 1', 'string', V1_EXPIRES, 'session', A, 'tampered'],
    ['V1 last character Q (tag byte changed)', 'string', `${V1.slice(0, -1)}Q`, 'session', A, 'tampered'],
    ['V1 at now = expires_at + 60', 'string', V1, 'session', { ...A, now: T2026 + 60n }, 'hello'],
    ['V1 at now = expires_at + 61', 'string', V1, 'session', { ...A, now: T2026 + 61n }, 'expired'],
    ['V1 at now = expires_at + 61 as name "other"', 'string', V1, 'other', { ...A, now: T2026 + 61n }, 'tampered'],
    ['V1 at now before the epoch', 'string', V1, 'session', { ...A, now: -1n }, 'hello'],
    ['V1 decoded as an empty struct', 'empty', V1, 'session', A, 'bad_payload'],
    ['V1 decoded as uint64', 'u64', V1, 'session', A, 'bad_payload'],
    ['vector 2 decoded as string', 'string', V2, '', A, 'bad_payload'],
    ['vector 5 (length 6 over 5 bytes)', 'string', V5, 'session', A, 'bad_payload'],
    ['vector 6 (endianness flag 02)', 'string', V6, 'session', A, 'bad_payload'],
  ];
  for (const [label, type, text, name, options, expected] of cases) {
    const r = decode(type, text, name, options);
    checkEqual(`${label}: ${expected}`, r.error ?? r.value, expected);
  }
  const rotated = decode('string', V1, 'session', { ...A, keys: [KEY_B, KEY_A] });
  checkEqual('V1 with keyring {B, A}: opens with needs_reseal', rotated.error ?? [rotated.value, rotated.needsReseal], ['hello', true]);
});

// Docs and tests cannot drift: every vector here is in docs/FORMAT.md verbatim.
guarded('docs', () => {
  const formatMd = readFileSync(fileURLToPath(new URL('../../docs/FORMAT.md', import.meta.url)), 'utf8');
  const texts = {
    KEY_A_TEXT, KEY_B_TEXT, KEY_A_HEX, KEY_A_DIGEST, KEY_B_DIGEST, V1_SUBKEY,
    V1, V2, V3, V4, V5, V6, V1_VERSION_2, V1_KEY_ID, V1_EXPIRES,
  };
  for (const v of SEALED) texts[`${v.label} plaintext`] = v.plaintext;
  for (const [what, text] of Object.entries(texts)) {
    check(`docs/FORMAT.md contains ${what}`, formatMd.includes(text));
  }
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
