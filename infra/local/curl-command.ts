/** Quotes for a POSIX shell: plain single quotes, an embedded `'` as `'\''`. */
export const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * The ready-to-run call of the endpoint, one line, in the shape of ZITADEL's API reference example.
 * `token` is the token itself, or `{ shellVariable: 'TOKEN' }` for a line that reads `$TOKEN`.
 */
export function deactivateCurl(baseUrl: string, actionId: string, token: string | { shellVariable: string }): string {
  const url = `${baseUrl}/management/v1/actions/${encodeURIComponent(actionId)}/_deactivate`;
  return [
    'curl -L -X POST',
    shellQuote(url),
    '-H',
    shellQuote('Content-Type: application/json'),
    '-H',
    shellQuote('Accept: application/json'),
    '-H',
    typeof token === 'string' ? shellQuote(`Authorization: Bearer ${token}`) : `"Authorization: Bearer $${token.shellVariable}"`,
    '--data-raw',
    shellQuote('{}'),
  ].join(' ');
}
