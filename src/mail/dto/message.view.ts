import { ApiProperty } from '@nestjs/swagger';
import { MESSAGE_KINDS, type MessageKind } from '../message-kind';

/** One message of a registration and where its delivery stands. */
export class MessageView {
  @ApiProperty({ format: 'uuid', description: 'Also the Message-ID: <id@host of PUBLIC_BASE_URL>' }) id!: string;
  @ApiProperty({ enum: MESSAGE_KINDS }) kind!: MessageKind;
  @ApiProperty({ enum: ['pending', 'sent', 'failed'], description: 'pending: not yet accepted by the mail server (retried with backoff)' })
  status!: 'pending' | 'sent' | 'failed';
  @ApiProperty({ description: 'Delivery attempts so far' }) attempts!: number;
  @ApiProperty({ nullable: true, type: String, description: 'Why the last attempt failed' }) lastError!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The request (X-Request-Id) whose change wrote this message' })
  requestId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) sentAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When a pending message is tried next' })
  nextAttemptAt!: string | null;
}

export class MessagePage {
  @ApiProperty({ type: [MessageView] }) data!: MessageView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as ?cursor= for the next page; null on the last' }) nextCursor!:
    string | null;
}
