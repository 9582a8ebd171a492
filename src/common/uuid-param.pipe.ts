import { Injectable, PipeTransform } from '@nestjs/common';
import { isUuid } from './cursor';
import { NotFoundError } from './errors';

/** Ids are UUIDs; anything else names nothing that exists, so it is a 404 (never a query error). */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUuid(value)) throw new NotFoundError();
    return value.toLowerCase();
  }
}
