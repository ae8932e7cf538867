export { JsonScanner, JsonKind } from './scanner.js';
export { quoteJsonString, formatJsonDouble } from './quote.js';
