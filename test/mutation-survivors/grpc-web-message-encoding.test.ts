/**
 * `grpc-message` percent-encoding end to end (issue 20): only the encoder was unit-tested, so sending the
 * message unencoded passed every test. ZITADEL's own refusal texts are passed through (and translations are
 * coming), so a `%` or a non-ASCII character must reach a gRPC-web client intact.
 *
 * Real parts: a loopback HTTP server answering as a ZITADEL whose refusal text holds `%`, `ü` and `€`, the
 * handler in zitadel mode behind the local API-Gateway-shaped server, dynalite, and connect-es's gRPC-web client.
 * connect-es prefers `grpc-status-details-bin` for the message; clients without status details (the official
 * grpc-web client among them) read `grpc-message`, so both are asserted: the text from the details, and
 * `grpc-message` as the client received it, percent-decoded.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorDetailSchema } from '../../functions/http/grpc-web/gen/zitadel/message_pb.ts';
import { createLocalServer } from '../../infra/local/server.ts';
import { zitadelError } from '../support/api.ts';
import { putAction, tableSnapshot } from '../support/dynamodb.ts';
import { managementClient } from '../support/grpc-web.ts';
import { startZitadelWorld } from '../support/zitadel-world.ts';

const ORG = '310000000000000001';

describe('a refusal text with % and non-ASCII characters, passed through from ZITADEL, reaches the gRPC-web client intact', () => {
  for (const text of ['Organisation für 100% unbekannt', 'Zugriff verweigert: 5 % Kontingent übrig, Preis 10 €']) {
    test(JSON.stringify(text), async () => {
      const refusal = zitadelError(7, 'AUTH-Bs7Ds', text);
      const zitadel = createServer((_req, res) => res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify(refusal)));
      await new Promise<void>((resolve) => zitadel.listen(0, '127.0.0.1', resolve));
      const world = await startZitadelWorld({ apiUrl: `http://127.0.0.1:${(zitadel.address() as AddressInfo).port}` });
      const local = createLocalServer({ handler: () => world.handler });
      await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
      try {
        await putAction(world.dynamo.client, { resourceOwner: ORG, id: '1' });
        const snapshot = await tableSnapshot(world.dynamo.client);
        const client = managementClient(`http://127.0.0.1:${(local.address() as AddressInfo).port}`);
        const error = await client
          .deactivateAction({ id: '1' }, { headers: { authorization: 'Bearer opaqueTokenOfTheCaller0123456789', 'x-zitadel-orgid': ORG } })
          .then(
            () => assert.fail('the call succeeded'),
            (err: unknown) => err,
          );
        assert.ok(error instanceof ConnectError, String(error));
        assert.equal(error.code, Code.PermissionDenied, error.rawMessage);
        assert.equal(error.rawMessage, `${text} (AUTH-Bs7Ds)`);
        assert.deepEqual(error.findDetails(ErrorDetailSchema).map(({ id, message }) => ({ id, message })), [{ id: 'AUTH-Bs7Ds', message: text }]);
        const grpcMessage = error.metadata.get('grpc-message');
        assert.ok(grpcMessage !== null, 'grpc-message is sent');
        assert.match(grpcMessage, /^[\x20-\x7e]*$/, 'grpc-message is printable ASCII on the wire');
        assert.equal(decodeURIComponent(grpcMessage), `${text} (AUTH-Bs7Ds)`);
        assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot, 'nothing written');
      } finally {
        local.closeAllConnections();
        local.close();
        zitadel.closeAllConnections();
        zitadel.close();
        await world.close();
      }
    });
  }
});
