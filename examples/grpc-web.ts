// examples/grpc-web.ts
// Deactivates one action over gRPC-web with connect-es. Against `npm start`, with the token and the
// action id from its banner (or `npm run -s token` and `npm run actions -- list`):
//   TOKEN=<token> ACTION_ID=<id> npx node examples/grpc-web.ts
// Optional: API_URL (default http://127.0.0.1:8080), ORG_ID (x-zitadel-orgid; default the user's own organisation).
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcWebTransport } from '@connectrpc/connect-node';
import { ManagementService } from '../functions/http/grpc-web/gen/zitadel/management_pb.ts';
import { ErrorDetailSchema } from '../functions/http/grpc-web/gen/zitadel/message_pb.ts';

const { TOKEN: token, ACTION_ID: actionId, API_URL: apiUrl = 'http://127.0.0.1:8080', ORG_ID: orgId } = process.env;
if (!token || !actionId) {
  console.error('Set TOKEN and ACTION_ID (npm start prints both in its curl line).');
  process.exit(2);
}

const client = createClient(ManagementService, createGrpcWebTransport({ baseUrl: apiUrl, httpVersion: '1.1' }));
try {
  const { details } = await client.deactivateAction(
    { id: actionId },
    { headers: { authorization: `Bearer ${token}`, ...(orgId ? { 'x-zitadel-orgid': orgId } : {}) } },
  );
  console.log(`Deactivated ${actionId} in ${details?.resourceOwner ?? '?'}, sequence ${details?.sequence ?? '?'}`);
} catch (err) {
  if (!(err instanceof ConnectError)) throw err;
  // ZITADEL's error: its gRPC code, its message, and its error id in the details.
  const ids = err.findDetails(ErrorDetailSchema).map((detail) => detail.id);
  console.error(`${Code[err.code]} (${err.code}): ${err.rawMessage} [${ids.join(', ')}]`);
  process.exitCode = 1;
}
