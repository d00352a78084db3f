import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { LEDGER_IMBALANCE_FIELD } from '../../../ingestion/bulk/ledger';

/** The field bulk FinalizeJob logs (one JSON line per job): files whose lines ≠ landed + quarantined. */
export { LEDGER_IMBALANCE_FIELD };

export interface PlatformAlarmsProps {
  prefix: string;
  dataKey: kms.IKey;
  alarmEmail?: string;
  functions: { name: string; fn: lambda.IFunction }[];
  api: apigw.RestApi;
  stageName: string;
  latencyAlarmMs: number;
  stateMachines: { name: string; machine: sfn.IStateMachine }[];
  queues: { name: string; queue: sqs.IQueue }[];
  /** Log groups whose JSON lines carry `ledger.imbalance` (bulk FinalizeJob's). */
  ledgerLogGroups: logs.ILogGroup[];
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms on everything that can silently lose or delay data — Lambda errors and throttles, API 5xx
 * and p99 latency, failed or timed-out flows, messages in dead-letter queues, ledger imbalance —
 * all to one encrypted SNS topic, and one dashboard with the same metrics.
 */
export class PlatformAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PlatformAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: `${props.prefix}-alarms`,
      masterKey: props.dataKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const created = new cloudwatch.Alarm(this, name, {
        alarmName: `${props.prefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new actions.SnsAction(this.topic));
      this.alarms.push(created);
      return created;
    };

    for (const { name, fn } of props.functions) {
      alarm(`${name}-errors`, fn.metricErrors({ period: FIVE_MINUTES }), 1, `${name}: invocation errors`);
      alarm(
        `${name}-throttles`,
        fn.metricThrottles({ period: FIVE_MINUTES }),
        1,
        `${name}: throttled invocations`,
      );
    }
    const apiMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiName: props.api.restApiName, Stage: props.stageName },
        statistic,
        period: FIVE_MINUTES,
      });
    const api5xx = apiMetric('5XXError', 'Sum');
    const apiLatency = apiMetric('Latency', 'p99');
    alarm('api-5xx', api5xx, 5, 'API: 5 or more server errors in 5 minutes');
    alarm(
      'api-latency-p99',
      apiLatency,
      props.latencyAlarmMs,
      `API: p99 latency ≥ ${props.latencyAlarmMs} ms`,
    );
    for (const { name, machine } of props.stateMachines) {
      alarm(`${name}-failed`, machine.metricFailed({ period: FIVE_MINUTES }), 1, `${name}: execution failed`);
      alarm(
        `${name}-timed-out`,
        machine.metricTimedOut({ period: FIVE_MINUTES }),
        1,
        `${name}: execution timed out`,
      );
    }
    for (const { name, queue } of props.queues) {
      alarm(
        `${name}-depth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        1,
        `${name}: undelivered events waiting in the dead-letter queue`,
      );
    }
    const ledger = new cloudwatch.Metric({
      namespace: `FhirGateway/${props.prefix}`,
      metricName: 'LedgerImbalance',
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
    props.ledgerLogGroups.forEach((logGroup, i) => {
      new logs.MetricFilter(this, `Ledger${i}`, {
        logGroup,
        filterPattern: logs.FilterPattern.numberValue(LEDGER_IMBALANCE_FIELD, '>', 0),
        metricNamespace: ledger.namespace,
        metricName: ledger.metricName,
        metricValue: LEDGER_IMBALANCE_FIELD,
      });
    });
    alarm(
      'ledger-imbalance',
      ledger,
      1,
      'A bulk job has files whose lines seen ≠ landed + quarantined, or that never landed: data may be missing',
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.prefix}-overview`,
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [apiMetric('Count', 'Sum'), apiMetric('4XXError', 'Sum'), api5xx],
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: 'API latency p99 (ms)', left: [apiLatency], width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        left: props.functions.map(({ fn }) => fn.metricErrors({ period: FIVE_MINUTES })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda duration p99',
        left: props.functions.map(({ fn }) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Bulk ingestion runs',
        left: props.stateMachines.flatMap(({ machine }) => [
          machine.metricSucceeded({ period: FIVE_MINUTES }),
          machine.metricFailed({ period: FIVE_MINUTES }),
        ]),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depth',
        left: props.queues.map(({ queue }) => queue.metricApproximateNumberOfMessagesVisible()),
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: 'Ledger imbalance', left: [ledger], width: 8 }),
    );
  }
}
