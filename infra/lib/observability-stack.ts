import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { PlatformAlarms, type PlatformAlarmsProps } from './constructs/platform-alarms';
import type { StageConfig } from './stage-config';

export interface ObservabilityStackProps
  extends StackProps,
    Pick<PlatformAlarmsProps, 'functions' | 'api' | 'stateMachines' | 'queues' | 'ledgerLogGroups'> {
  config: StageConfig;
  dataKey: kms.IKey;
}

/** Alarms and the dashboard over every other stack. */
export class ObservabilityStack extends Stack {
  readonly alarms: PlatformAlarms;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.alarms = new PlatformAlarms(this, 'Alarms', {
      ...props,
      prefix: config.prefix,
      alarmEmail: config.alarmEmail,
      stageName: config.stage,
      latencyAlarmMs: config.api.latencyAlarmMs,
    });
  }
}
