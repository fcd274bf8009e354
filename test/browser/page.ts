/**
 * The script of the test page (bundled by esbuild for the browser): the README's example
 * (examples/web-app.ts) as a web app runs it, its results turned into plain data for the test.
 */
import { ConnectError } from '@connectrpc/connect';
import { toDate } from '@zitadel/client';
import { ErrorDetailSchema } from '../../functions/http/grpc-web/gen/zitadel/message_pb.ts';
import { deactivateWithFetch, deactivateWithZitadelClient, describeError, type Api } from '../../examples/web-app.ts';

const page = {
  async grpcWeb(api: Api, actionId: string) {
    try {
      const details = await deactivateWithZitadelClient(api, actionId);
      return {
        ok: true as const,
        details: {
          sequence: String(details?.sequence),
          creationDate: toDate(details?.creationDate)?.toISOString(),
          resourceOwner: details?.resourceOwner,
        },
      };
    } catch (err) {
      return {
        ok: false as const,
        connectError: err instanceof ConnectError,
        code: err instanceof ConnectError ? err.code : undefined,
        rawMessage: err instanceof ConnectError ? err.rawMessage : undefined,
        details: err instanceof ConnectError ? err.findDetails(ErrorDetailSchema).map((d) => ({ id: d.id, message: d.message })) : [],
        described: describeError(err),
      };
    }
  },
  async json(api: Api, actionId: string) {
    try {
      return { ok: true as const, ...(await deactivateWithFetch(api, actionId)) };
    } catch (err) {
      return { ok: false as const, error: String(err) };
    }
  },
};

Object.assign(globalThis, { page });
export type Page = typeof page;
