/**
 * protoc's default JSON name: underscores dropped, the letter after each
 * underscore upper-cased, everything else (including a leading capital) kept.
 */
export function toJsonName(name: string): string {
  if (name.indexOf('_') < 0) return name;
  let out = '';
  let upper = false;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '_') upper = true;
    else if (upper) {
      const c = ch.charCodeAt(0);
      out += c >= 97 && c <= 122 ? String.fromCharCode(c - 32) : ch;
      upper = false;
    } else out += ch;
  }
  return out;
}

/** protoc's map entry type name: `tag_counts` → `TagCountsEntry`. */
export function mapEntryName(fieldName: string): string {
  let out = '';
  let upper = true;
  for (let i = 0; i < fieldName.length; i++) {
    const ch = fieldName[i]!;
    if (ch === '_') upper = true;
    else if (upper) {
      const c = ch.charCodeAt(0);
      out += c >= 97 && c <= 122 ? String.fromCharCode(c - 32) : ch;
      upper = false;
    } else out += ch;
  }
  return out + 'Entry';
}
