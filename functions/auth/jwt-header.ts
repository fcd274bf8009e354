/**
 * RFC 7515 §4 lets a parser take the last of duplicated header members, which is what
 * JSON.parse (and so aws-jwt-verify) does. Two `kid`s in one header are never legitimate and
 * make the key choice ambiguous between components, so such tokens are refused outright.
 */
export function hasDuplicateHeaderMembers(token: string): boolean {
  const dot = token.indexOf('.');
  if (dot <= 0) return false; // malformed: left to the verifier to reject
  const json = Buffer.from(token.slice(0, dot), 'base64url').toString('utf8');
  const names = topLevelMemberNames(json);
  return names !== null && new Set(names).size !== names.length;
}

/** The member names of a JSON object's top level, or null when the text is not such an object. */
function topLevelMemberNames(json: string): string[] | null {
  const names: string[] = [];
  let depth = 0;
  let expectName = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (end < json.length && json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      if (depth === 1 && expectName) {
        try {
          names.push(JSON.parse(json.slice(i, end + 1)) as string);
        } catch {
          return null;
        }
        expectName = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      depth++;
      expectName = depth === 1 && c === '{';
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectName = true;
    }
  }
  return depth === 0 ? names : null;
}
