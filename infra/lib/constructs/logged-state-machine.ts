import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { createLogGroup, type LogSettings } from './encrypted-log-group';

export interface LoggedStateMachineProps {
  stateMachineName: string;
  definitionBody: sfn.DefinitionBody;
  logs: LogSettings;
}

/**
 * A standard state machine as the platform runs them: X-Ray tracing, every state's events logged to
 * an encrypted log group (`<id>Logs`) with execution data (inputs and outputs) left out of the
 * logs — state names, events and errors only.
 */
export function createLoggedStateMachine(
  scope: Construct,
  id: string,
  props: LoggedStateMachineProps,
): sfn.StateMachine {
  const machine = new sfn.StateMachine(scope, id, {
    stateMachineName: props.stateMachineName,
    definitionBody: props.definitionBody,
    stateMachineType: sfn.StateMachineType.STANDARD,
    tracingEnabled: true,
    logs: {
      destination: createLogGroup(scope, `${id}Logs`, props.logs),
      level: sfn.LogLevel.ALL,
      includeExecutionData: false,
    },
  });
  acknowledge(machine, [
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery (logs:CreateLogDelivery, ...) and X-Ray calls have no resource-level permissions; no data action is involved.',
    },
    { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: "Generated for this state machine's role alone." },
  ]);
  return machine;
}
