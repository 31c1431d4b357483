import type { DynamoJsonClient } from '../dynamodb/json-client.ts';
import type { ShardInfo, StreamRecord, StreamSource } from './stream-mapping.ts';

/** A {@link StreamSource} over the DynamoDB Streams API of DynamoDB Local. */
export function dynamoDbStreamSource(client: DynamoJsonClient, streamArn: string): StreamSource {
  return {
    async listShards(): Promise<ShardInfo[]> {
      const shards: ShardInfo[] = [];
      let start: string | undefined;
      do {
        const response = await client.call<{
          StreamDescription?: {
            Shards?: { ShardId: string; ParentShardId?: string }[];
            LastEvaluatedShardId?: string;
          };
        }>('DynamoDBStreams_20120810.DescribeStream', {
          StreamArn: streamArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        });
        for (const s of response.StreamDescription?.Shards ?? []) {
          shards.push({ shardId: s.ShardId, parentShardId: s.ParentShardId });
        }
        start = response.StreamDescription?.LastEvaluatedShardId;
      } while (start);
      return shards;
    },
    async getIterator(shardId, type, sequenceNumber) {
      const response = await client.call<{ ShardIterator: string }>(
        'DynamoDBStreams_20120810.GetShardIterator',
        {
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: type,
          ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}),
        },
      );
      return response.ShardIterator;
    },
    async getRecords(iterator, limit) {
      const response = await client.call<{ Records?: StreamRecord[]; NextShardIterator?: string }>(
        'DynamoDBStreams_20120810.GetRecords',
        { ShardIterator: iterator, Limit: limit },
      );
      return { records: response.Records ?? [], nextIterator: response.NextShardIterator };
    },
  };
}
