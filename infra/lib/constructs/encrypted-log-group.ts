import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface LogSettings {
  key: kms.IKey;
  retentionDays: number;
  retain: boolean;
}

/** A log group encrypted with the logs key, kept `retentionDays` (a CloudWatch-allowed value). */
export function createLogGroup(scope: Construct, id: string, settings: LogSettings, logGroupName?: string) {
  return new logs.LogGroup(scope, id, {
    logGroupName,
    encryptionKey: settings.key,
    retention: toRetention(settings.retentionDays),
    removalPolicy: settings.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
}

/** The smallest CloudWatch retention that keeps logs at least `days`. */
export function toRetention(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((v): v is number => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  const fit = allowed.find((v) => v >= days);
  if (fit === undefined) throw new Error(`no CloudWatch retention of at least ${days} days`);
  return fit as logs.RetentionDays;
}
