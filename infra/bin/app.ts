/**
 * The CDK app: the only place (with src/config.ts) that reads the environment. It picks the stage
 * (`cdk synth -c stage=prod`, or FHIR_GATEWAY_STAGE; dev by default) and the target account and
 * region, and passes typed props to the stacks. cdk-nag's AwsSolutions and HIPAA Security packs
 * check every stack on every synth: an unacknowledged finding stops it.
 */
import { App } from 'aws-cdk-lib';
import { bulkIngestionFlow } from '../../ingestion/bulk/flow-definition';
import { addFhirGatewayStacks } from '../lib/fhir-gateway-app';
import { addNagChecks } from '../lib/nag';
import { STAGES, type StageConfig } from '../lib/stage-config';

const app = new App();
const requested = (app.node.tryGetContext('stage') ?? process.env.FHIR_GATEWAY_STAGE ?? 'dev') as string;
if (!(requested in STAGES)) {
  throw new Error(`unknown stage "${requested}": one of ${Object.keys(STAGES).join(', ')}`);
}
addFhirGatewayStacks(app, STAGES[requested as StageConfig['stage']], {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  bulkFlow: bulkIngestionFlow,
});
addNagChecks(app);
app.synth();
