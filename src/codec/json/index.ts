export { JsonScanner, JsonKind, parseSpanAsDouble } from './scanner.js';
export { quoteJsonString, formatJsonDouble } from './quote.js';
export { writeAscii, writeRaw, writeIntText, writeJsonStringUtf8, writeJsonString, writeJsonBase64, writeDoubleText, utf8Text } from './json-bytes.js';
