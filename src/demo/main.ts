/**
 * `npm run demo`: an embedded generic server from the seed IDLs, then every
 * call shape against it. The server and client land in later steps; until
 * then this prints what exists.
 */
import { Code } from '../index.js';

console.log('idlcall demo: the generic server and client are not built yet.');
console.log(`status codes known: ${Object.keys(Code).length}`);
