/**
 * The JSON route's body decoded as ZITADEL's grpc-gateway decodes it, before any check runs: its generated
 * handler calls `marshaler.NewDecoder(body).Decode(&protoReq)` and answers any error but `io.EOF` with
 * `status.Errorf(codes.InvalidArgument, "%v", err)`. ZITADEL's marshaler is `runtime.JSONPb` with
 * `protojson.UnmarshalOptions{DiscardUnknown: true}` (internal/api/grpc/server/gateway.go), so unknown fields are
 * skipped, `null` leaves a field unset, and `id` (`DeactivateActionRequest { string id = 1; }`) must be a string.
 * The path's `{id}` is set after decoding and wins over the body's.
 *
 * protojson's messages (encoding/protojson/decode.go) carry the token's position in the decoded value:
 * `proto: (line 1:8): invalid value for string field id: 5`, `proto: (line 1:11): duplicate field "id"`,
 * `proto: syntax error (line 1:1): unexpected token [`. protobuf-go writes the space after `proto:` as U+0020 or
 * U+00A0 at random per build (to stop string matching); we write U+0020. Text that is not JSON at all gets our
 * `REQUEST-B0dyj`: Go's encoding/json texts are not reproduced.
 */
import { Errors } from '../domain/errors.ts';
import type { HttpEvent, HttpMiddleware } from './request-context.ts';

const PROTO_PREFIX = 'proto: ';
/**
 * Longest token quoted in a message. protojson quotes the whole token, however long; a body that is one multi-MB
 * string (of backslashes, which JSON doubles twice on the way out) would make an answer over Lambda's 6 MB response
 * limit (a 5xx and a function error instead of this 400) and several times larger than the request. Tokens longer
 * than this are quoted up to it, followed by `…`.
 */
export const MAX_QUOTED_TOKEN = 200;
/** Go's JSON whitespace; grpc-gateway hands protojson the value without what precedes it. */
const JSON_SPACE = /^[ \t\n\r]*/;

/** Throws the error grpc-gateway would answer for this body; returns for a body it accepts (empty included). */
export function checkJsonRequest(text: string): void {
  const rest = text.replace(JSON_SPACE, '');
  if (rest === '') return; // io.EOF: an empty request message
  // grpc-gateway's JSONPb decoder reads one value with Go's json.Decoder (into a json.RawMessage, then protojson):
  // whatever follows the first value is never read, so `{} x` decodes as `{}`.
  const value = rest.slice(0, valueEnd(rest, 0));
  try {
    JSON.parse(value);
  } catch {
    throw Errors.bodyMalformed();
  }
  const at = (offset: number) => position(value, offset);
  if (value[0] !== '{') {
    throw Errors.requestUndecodable(`${PROTO_PREFIX}syntax error (${at(0)}): unexpected token ${rawToken(value, 0)}`);
  }
  let seenId = false;
  for (const member of topLevelMembers(value)) {
    if (member.name !== 'id') continue; // unknown fields are discarded
    if (seenId) throw Errors.requestUndecodable(`${PROTO_PREFIX}(${at(member.nameOffset)}): duplicate field ${member.rawName}`);
    seenId = true;
    const first = value[member.valueOffset];
    if (first === '"' || value.startsWith('null', member.valueOffset)) continue;
    throw Errors.requestUndecodable(
      `${PROTO_PREFIX}(${at(member.valueOffset)}): invalid value for string field id: ${rawToken(value, member.valueOffset)}`,
    );
  }
}

/** Runs `checkJsonRequest` on the JSON route's body (API Gateway may deliver it base64-encoded). */
export const jsonRequest = (): HttpMiddleware => ({
  name: 'jsonRequest',
  before: ({ event }: { event: HttpEvent }) => {
    const body = event.body ?? '';
    checkJsonRequest(event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body);
  },
});

/** Go's json `Decoder.Position`: line 1-based, column in runes, 1-based. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  let runes = 0;
  for (const _ of before.slice(lineStart)) runes++;
  return `line ${line}:${runes + 1}`;
}

/** protojson's `tok.RawString()`: a literal as written, or the one character that opens an object or array. */
function rawToken(text: string, offset: number): string {
  const c = text[offset];
  if (c === '{' || c === '[') return c;
  if (c === '"') return bounded(text.slice(offset, stringEnd(text, offset)));
  const literal = /^[^\s,\]}]+/.exec(text.slice(offset, offset + MAX_QUOTED_TOKEN + 1));
  return bounded(literal?.[0] ?? '');
}

/** At most `MAX_QUOTED_TOKEN` UTF-16 units, never half a surrogate pair; `…` marks a cut. */
function bounded(token: string): string {
  if (token.length <= MAX_QUOTED_TOKEN) return token;
  const cut = /[\uD800-\uDBFF]/.test(token[MAX_QUOTED_TOKEN - 1] ?? '') ? MAX_QUOTED_TOKEN - 1 : MAX_QUOTED_TOKEN;
  return `${token.slice(0, cut)}…`;
}

/** The index after the closing quote of the string starting at `offset`. */
function stringEnd(text: string, offset: number): number {
  let i = offset + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** The members of a top-level object in valid JSON text: name, where the name and the value start. */
function* topLevelMembers(text: string): Generator<{ name: string; rawName: string; nameOffset: number; valueOffset: number }> {
  let i = 1;
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  for (;;) {
    skipSpace();
    if (text[i] === '}' || i >= text.length) return;
    if (text[i] === ',') {
      i++;
      skipSpace();
    }
    const nameOffset = i;
    const nameEnd = stringEnd(text, i);
    const rawName = text.slice(nameOffset, nameEnd);
    i = nameEnd;
    skipSpace();
    i++; // ':'
    skipSpace();
    const valueOffset = i;
    i = valueEnd(text, i);
    yield { name: JSON.parse(rawName) as string, rawName, nameOffset, valueOffset };
  }
}

/** The index after the value starting at `offset` (valid JSON). */
function valueEnd(text: string, offset: number): number {
  if (text[offset] === '"') return stringEnd(text, offset);
  if (text[offset] !== '{' && text[offset] !== '[') {
    let i = offset;
    while (i < text.length && !' \t\n\r,]}'.includes(text[i] ?? '')) i++;
    return i;
  }
  let depth = 0;
  let i = offset;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i);
      continue;
    }
    if (c === '{' || c === '[') depth++;
    if (c === '}' || c === ']') depth--;
    i++;
    if (depth === 0) return i;
  }
  return i;
}
