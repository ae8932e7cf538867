export { ByteWriter } from './byte-writer.js';
export { writeUtf8, utf8Length, readUtf8, isValidUtf8, asciiString } from './utf8.js';
export * from './varint.js';
export { encodeBase64, encodeBase64Url, decodeBase64, decodeBase64Into, base64DecodedLength } from './base64.js';
