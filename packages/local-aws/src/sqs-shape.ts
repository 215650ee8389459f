import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueueMessage } from './local-queue.js';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:graft-extract';

/**
 * Wraps local queue messages into the SQS event Lambda receives, field for field, so the extract handler runs
 * on exactly the JSON it gets in AWS.
 *
 * @example
 * ```ts
 * await handler(toSqsEvent([{ messageId: 'local-1', body, receiveCount: 1 }]));
 * ```
 */
export function toSqsEvent(messages: QueueMessage[], now = Date.now()): SQSEvent {
  return {
    Records: messages.map(
      (m): SQSRecord => ({
        messageId: m.messageId,
        receiptHandle: `${m.messageId}#${m.receiveCount}`,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(now),
          SenderId: 'AIDAIENQZJOLO23YVJ4VO',
          ApproximateFirstReceiveTimestamp: String(now),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: QUEUE_ARN,
        awsRegion: 'us-east-1',
      }),
    ),
  };
}
