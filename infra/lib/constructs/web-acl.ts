import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { createLogGroup, type LogSettings } from './encrypted-log-group';

export interface ApiWebAclProps {
  prefix: string;
  /** The API Gateway stage the ACL protects (`arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>`). */
  stageArn: string;
  /** Requests per 5 minutes per client IP before it is blocked. */
  ratePer5Minutes: number;
  logs: LogSettings;
}

/**
 * AWS managed rule groups, in the order AWS recommends, then a per-IP rate limit. The common rule
 * set's 8 KB body limit is only counted: FHIR Bundles and NDJSON uploads are legitimately larger,
 * and the gateway enforces its own body limit (10 MiB, `BODY_LIMIT_BYTES`).
 */
const MANAGED_RULE_GROUPS: { name: string; excludeRules?: string[] }[] = [
  { name: 'AWSManagedRulesAmazonIpReputationList' },
  { name: 'AWSManagedRulesCommonRuleSet', excludeRules: ['SizeRestrictions_BODY'] },
  { name: 'AWSManagedRulesKnownBadInputsRuleSet' },
  { name: 'AWSManagedRulesSQLiRuleSet' },
];

/** The regional WAFv2 web ACL in front of the API stage, with its association and logging. */
export class ApiWebAcl extends Construct {
  readonly acl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiWebAclProps) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed = MANAGED_RULE_GROUPS.map(
      ({ name, excludeRules = [] }, i): wafv2.CfnWebACL.RuleProperty => ({
        name,
        priority: i,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name,
            ruleActionOverrides: excludeRules.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
          },
        },
        visibilityConfig: visibility(name),
      }),
    );
    this.acl = new wafv2.CfnWebACL(this, 'Acl', {
      name: `${props.prefix}-api`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${props.prefix}-api`),
      rules: [
        ...managed,
        {
          name: 'RatePerClientIp',
          priority: managed.length,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.ratePer5Minutes, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('RatePerClientIp'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.acl.attrArn,
    });
    // WAF writes to log groups whose name starts with aws-waf-logs-. The bearer token and the query
    // string (search values can be PHI) are redacted before they are written.
    const logGroupName = `aws-waf-logs-${props.prefix}-api`;
    const logGroup = createLogGroup(this, 'Logs', props.logs, logGroupName);
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.acl.attrArn,
      // WAF wants the log group's ARN without the trailing `:*` CloudFormation's Arn attribute has.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [
        { singleHeader: { Name: 'authorization' } },
        { singleHeader: { Name: 'x-api-key' } },
        { queryString: {} },
      ],
    });
    logging.node.addDependency(logGroup);
  }
}
