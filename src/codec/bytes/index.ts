export { ByteWriter } from './byte-writer.js';
export { writeUtf8, utf8Length, readUtf8 } from './utf8.js';
export { encodeBase64, encodeBase64Url, decodeBase64 } from './base64.js';
