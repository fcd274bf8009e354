import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { MiddlewareObj } from '@middy/core';
import type { Authorization } from '../domain/authorization.ts';

/** What our middlewares establish before the handler runs. */
export interface RequestContext extends Context {
  authorization?: Authorization;
}

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResult, Error, RequestContext>;

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;
