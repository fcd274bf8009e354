/**
 * The benchmark's independent straightforward build: the same endpoint as a developer would write it with the
 * libraries one would pick, and nothing tuned. middy with its JSON body parser, header normalizer and error
 * handler; Powertools Logger (one line per request, as ours); aws-jwt-verify's JwtVerifier as documented; the
 * DynamoDB Document client with one conditional UpdateCommand. Claims mode reads the project's roles claim; zitadel
 * mode asks ZITADEL's Auth API on every request (GetMyUser and ListMyZitadelPermissions, the obvious pair; ours
 * asks GetMyUser and ListMyMemberships on a miss).
 *
 * Not a second implementation of the product: it answers the success path (and a plain error otherwise) so that
 * the bench can compare figures. Bundled by bench/bundle.ts with esbuild's plain options (ESM, minified, node24).
 */
import { Agent } from 'node:http';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { createError } from '@middy/util';
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

const env = process.env;
const issuer = env.ZITADEL_ISSUER ?? '';
const projectId = env.ZITADEL_AUDIENCE ?? '';
const table = env.ACTIONS_TABLE ?? '';
const mode = env.AUTHZ_MODE ?? 'claims';

const logger = new Logger();
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const verifier = JwtVerifier.create(
  { issuer, audience: projectId, jwksUri: `${issuer}/oauth/v2/keys` },
  // The bench's issuer is plain HTTP on loopback; aws-jwt-verify fetches with https.request, so an http agent.
  { jwksCache: new SimpleJwksCache({ fetcher: new SimpleFetcher({ defaultRequestOptions: issuer.startsWith('http:') ? { agent: new Agent() } : {} }) }) },
);

const ROLES_WITH_ACTION_WRITE = new Set(['IAM_OWNER', 'ORG_OWNER']);

async function permittedOrg(token: string, orgHeader: string | undefined): Promise<{ userId: string; orgId: string }> {
  if (mode === 'zitadel') {
    const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
    const [me, permissions] = await Promise.all([
      fetch(`${issuer}/auth/v1/users/me`, { headers }).then((r) => r.json() as Promise<{ user?: { id: string; details: { resourceOwner: string } } }>),
      fetch(`${issuer}/auth/v1/permissions/zitadel/me/_search`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', ...(orgHeader ? { 'x-zitadel-orgid': orgHeader } : {}) },
        body: '{}',
      }).then((r) => r.json() as Promise<{ result?: string[] }>),
    ]);
    if (me.user === undefined) throw createError(401, 'unauthenticated');
    if (!(permissions.result ?? []).includes('org.action.write')) throw createError(403, 'permission denied');
    return { userId: me.user.id, orgId: orgHeader ?? me.user.details.resourceOwner };
  }
  let payload: Record<string, unknown>;
  try {
    payload = await verifier.verify(token);
  } catch {
    throw createError(401, 'unauthenticated');
  }
  const orgId = orgHeader ?? String(payload['urn:zitadel:iam:user:resourceowner:id']);
  const roles = (payload[`urn:zitadel:iam:org:project:${projectId}:roles`] ?? {}) as Record<string, Record<string, string>>;
  if (!Object.entries(roles).some(([role, orgs]) => ROLES_WITH_ACTION_WRITE.has(role) && orgId in orgs)) throw createError(403, 'permission denied');
  return { userId: String(payload.sub), orgId };
}

const deactivate = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const token = event.headers.authorization?.replace(/^Bearer /, '');
  if (!token) throw createError(401, 'unauthenticated');
  const { userId, orgId } = await permittedOrg(token, event.headers['x-zitadel-orgid']);
  const id = event.pathParameters?.id ?? '';
  const now = new Date().toISOString();
  let item: Record<string, unknown> | undefined;
  try {
    ({ Attributes: item } = await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: { resourceOwner: orgId, id },
        UpdateExpression: 'SET #state = :inactive, #sequence = #sequence + :one, changeDate = :now, changedBy = :user',
        ConditionExpression: 'attribute_exists(id) AND #state = :active',
        ExpressionAttributeNames: { '#state': 'state', '#sequence': 'sequence' },
        ExpressionAttributeValues: { ':active': 'ACTIVE', ':inactive': 'INACTIVE', ':one': 1, ':now': now, ':user': userId },
        ReturnValues: 'ALL_NEW',
      }),
    ));
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') throw createError(400, 'action not active or not found');
    throw err;
  }
  logger.info('action deactivated', { actionId: id, orgId });
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ details: { sequence: String(item?.sequence), changeDate: item?.changeDate, resourceOwner: item?.resourceOwner } }),
  };
};

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger))
  .use(httpHeaderNormalizer())
  .use(httpJsonBodyParser())
  .use(httpErrorHandler())
  .handler(deactivate);
