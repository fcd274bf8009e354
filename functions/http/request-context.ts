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

/** The request's headers; an event without any (a hand-made test event) has none rather than failing. */
export function headersOf(event: HttpEvent): Readonly<Record<string, string | undefined>> {
  return (event as Partial<HttpEvent>).headers ?? {};
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;
