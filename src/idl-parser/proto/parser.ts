import type { FileNode, ImportNode } from './ast.js';
import { bytesToUtf8, Lexer, T_EOF, T_STRING } from './lexer.js';
import { parseEnum } from './parse-enum.js';
import { parseExtend, parseMessage } from './parse-message.js';
import { parseDottedName, parseStringBytes } from './parse-options.js';
import { parseService } from './parse-service.js';
import { CH_EQ, CH_SEMI, expectSym, here, parseOptionStatement, skipEmpty, type ParseState } from './parse-util.js';

/** Editions this parser can resolve features for. */
export const SUPPORTED_EDITIONS: readonly string[] = ['2023'];

/**
 * Parses one `.proto` file into its unresolved tree. `name` is the import path
 * used in error locations. Throws IdlError on the first syntax error.
 */
export function parseProto(text: string, name: string): FileNode {
  const lx = new Lexer(text, name);
  const file: FileNode = {
    name, syntax: 'proto2', syntaxPos: { line: 1, col: 1 }, edition: undefined, package: '',
    packagePos: { line: 1, col: 1 }, imports: [], messages: [], enums: [], services: [], extensions: [], options: [],
  };
  while (skipEmpty(lx));
  if (lx.isWord('syntax') || lx.isWord('edition')) {
    const isEdition = lx.isWord('edition');
    file.syntaxPos = here(lx);
    lx.next();
    expectSym(lx, CH_EQ, `after "${isEdition ? 'edition' : 'syntax'}"`);
    const valuePos = here(lx);
    if (lx.kind !== T_STRING) lx.fail(`expected a quoted ${isEdition ? 'edition' : 'syntax'} name, found ${lx.describe()}`);
    const value = bytesToUtf8(parseStringBytes(lx));
    if (isEdition) {
      if (!SUPPORTED_EDITIONS.includes(value)) {
        lx.failAt(valuePos.line, valuePos.col, `unsupported edition "${value}"; supported editions: ${SUPPORTED_EDITIONS.join(', ')}`);
      }
      file.syntax = 'editions';
      file.edition = value;
    } else if (value === 'proto2' || value === 'proto3') {
      file.syntax = value;
    } else {
      lx.failAt(valuePos.line, valuePos.col, `unrecognized syntax "${value}"; expected "proto2" or "proto3"`);
    }
    expectSym(lx, CH_SEMI, `after ${isEdition ? 'edition' : 'syntax'} statement`);
  }
  const st: ParseState = { lx, syntax: file.syntax };
  let sawPackage = false;
  while (lx.kind !== T_EOF) {
    if (skipEmpty(lx)) continue;
    if (lx.isWord('message')) file.messages.push(parseMessage(st));
    else if (lx.isWord('enum')) file.enums.push(parseEnum(st));
    else if (lx.isWord('service')) file.services.push(parseService(st));
    else if (lx.isWord('extend')) parseExtend(st, file.extensions, file.messages);
    else if (lx.isWord('option')) parseOptionStatement(lx, file.options);
    else if (lx.isWord('import')) file.imports.push(parseImport(lx));
    else if (lx.isWord('package')) {
      if (sawPackage) lx.fail('multiple package definitions');
      sawPackage = true;
      lx.next();
      file.packagePos = here(lx);
      file.package = parseDottedName(lx, 'package name', false);
      expectSym(lx, CH_SEMI, 'after package name');
    } else if (lx.isWord('syntax') || lx.isWord('edition')) {
      lx.fail(`"${lx.text()}" must be the first statement of the file`);
    } else {
      lx.fail(`expected "message", "enum", "service", "extend", "import", "package" or "option", found ${lx.describe()}`);
    }
  }
  return file;
}

function parseImport(lx: Lexer): ImportNode {
  lx.next();
  let kind: ImportNode['kind'] = 'default';
  if (lx.isWord('public')) {
    kind = 'public';
    lx.next();
  } else if (lx.isWord('weak')) {
    kind = 'weak';
    lx.next();
  }
  const pos = here(lx);
  if (lx.kind !== T_STRING) lx.fail(`expected a quoted file name after "import", found ${lx.describe()}`);
  const path = bytesToUtf8(parseStringBytes(lx));
  expectSym(lx, CH_SEMI, 'after import');
  return { path, pos, kind };
}
