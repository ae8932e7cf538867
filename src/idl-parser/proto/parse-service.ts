import type { MethodNode, ServiceNode } from './ast.js';
import { parseDottedName } from './parse-options.js';
import {
  CH_LBRACE, CH_LPAREN, CH_RBRACE, CH_RPAREN, CH_SEMI, expectIdent, expectSym, here, parseOptionStatement, skipEmpty,
  type ParseState,
} from './parse-util.js';

/** `service Name { rpc … }` (the `service` keyword is current). */
export function parseService(st: ParseState): ServiceNode {
  const lx = st.lx;
  lx.next();
  const pos = here(lx);
  const name = expectIdent(lx, 'service name');
  const svc: ServiceNode = { name, pos, methods: [], options: [] };
  expectSym(lx, CH_LBRACE, `after service name "${name}"`);
  while (!lx.isSym(CH_RBRACE)) {
    if (skipEmpty(lx)) continue;
    if (lx.isWord('option')) parseOptionStatement(lx, svc.options);
    else if (lx.isWord('rpc')) svc.methods.push(parseMethod(st));
    else lx.fail(`expected "rpc" or "option" in service "${name}", found ${lx.describe()}`);
  }
  lx.next();
  return svc;
}

function parseMethod(st: ParseState): MethodNode {
  const lx = st.lx;
  lx.next();
  const pos = here(lx);
  const name = expectIdent(lx, 'method name');
  const side = (what: string): { type: string; pos: { line: number; col: number }; stream: boolean } => {
    expectSym(lx, CH_LPAREN, what === 'input' ? `after method name "${name}"` : 'after "returns"');
    let stream = false;
    if (lx.isWord('stream')) {
      // `stream` is also a legal type name: it is the keyword only when a type follows.
      const m = lx.mark();
      lx.next();
      if (lx.isSym(CH_RPAREN)) lx.reset(m);
      else stream = true;
    }
    const p = here(lx);
    const type = parseDottedName(lx, `${what} type of method "${name}"`, true);
    expectSym(lx, CH_RPAREN, `after ${what} type`);
    return { type, pos: p, stream };
  };
  const input = side('input');
  if (!lx.isWord('returns')) lx.fail(`expected "returns" after the input of method "${name}", found ${lx.describe()}`);
  lx.next();
  const output = side('output');
  const method: MethodNode = {
    name, pos, inputType: input.type, inputPos: input.pos, outputType: output.type, outputPos: output.pos,
    clientStreaming: input.stream, serverStreaming: output.stream, options: [], body: false,
  };
  if (lx.isSym(CH_LBRACE)) {
    method.body = true;
    lx.next();
    while (!lx.isSym(CH_RBRACE)) {
      if (skipEmpty(lx)) continue;
      if (lx.isWord('option')) parseOptionStatement(lx, method.options);
      else lx.fail(`expected "option" or "}" in method "${name}", found ${lx.describe()}`);
    }
    lx.next();
    if (lx.isSym(CH_SEMI)) lx.next();
  } else {
    expectSym(lx, CH_SEMI, `after method "${name}"`);
  }
  return method;
}
