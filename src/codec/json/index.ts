export { JsonScanner, JsonKind, parseSpanAsDouble } from './scanner.js';
export { quoteJsonString, formatJsonDouble } from './quote.js';
