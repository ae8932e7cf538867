/*
 * google.protobuf.FieldMask paths: snake_case in the message, lowerCamelCase
 * joined by commas in JSON.
 */

/** `foo_bar.baz_qux` → `fooBar.bazQux`; undefined when the path cannot round-trip. */
export function pathToJson(path: string): string | undefined {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '_') {
      const n = path[i + 1];
      if (n === undefined || !(n >= 'a' && n <= 'z')) return undefined;
      out += n.toUpperCase();
      i++;
    } else if (c >= 'A' && c <= 'Z') {
      return undefined;
    } else out += c;
  }
  return out;
}

/** `fooBar.bazQux` → `foo_bar.baz_qux`; undefined for an underscore in the input. */
export function pathFromJson(path: string): string | undefined {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '_') return undefined;
    if (c >= 'A' && c <= 'Z') out += '_' + c.toLowerCase();
    else out += c;
  }
  return out;
}
