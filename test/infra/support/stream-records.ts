/**
 * Real DynamoDB stream records for the change-event tests: DynamoDB Local with a streamed actions table, and every
 * record of every shard read back in order. Both change-event test files drive their writes through it.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';

export type { StreamRecord };

/** Reads every record of every shard from the start; DynamoDB Local may need a few polls. */
export async function readStream(streams: DynamoDBStreamsClient, streamArn: string, expected: number): Promise<StreamRecord[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const out: StreamRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    // An open shard hands out an iterator forever: stop once it returns nothing new.
    for (let polls = 0; ShardIterator !== undefined && polls < 20; polls++) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
      out.push(...(page.Records ?? []));
      ShardIterator = page.NextShardIterator;
      if ((page.Records ?? []).length === 0 && out.length >= expected) break;
    }
  }
  return out.sort((a, b) => (BigInt(a.dynamodb?.SequenceNumber ?? '0') < BigInt(b.dynamodb?.SequenceNumber ?? '0') ? -1 : 1));
}
