import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { createLogGroup, type LogSettings } from './encrypted-log-group';

export interface NetworkProps {
  natGateways: number;
  logs: LogSettings;
}

/**
 * The VPC every function and the dbt task run in: private subnets with egress through NAT (the
 * identity provider's JWKS, Snowflake and the bulk sources are HTTPS endpoints outside AWS), an S3
 * gateway endpoint so lake traffic never leaves AWS's network, and flow logs of all traffic.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const flowLogs = createLogGroup(this, 'FlowLogs', props.logs);
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com'),
    });
    this.vpc.addFlowLog('AllTraffic', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs, flowLogRole),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    acknowledge(this.vpc, [
      {
        id: 'HIPAA.Security-VPCNoUnrestrictedRouteToIGW',
        reason:
          'Only the public subnets route 0.0.0.0/0 to the internet gateway, and only NAT gateways live there (no public IPs on launch); every function and task runs in the private subnets.',
      },
      {
        id: 'HIPAA.Security-VPCDefaultSecurityGroupClosed',
        reason:
          'Nothing is placed in the default security group: every function and task has its own HTTPS-egress-only group. Closing it needs a custom-resource Lambda; AWS Config rule vpc-default-security-group-closed watches it in the account (docs/deploy.md).',
      },
    ]);
    acknowledge(flowLogRole, [
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason: 'The VPC flow-log delivery role writes only to its own log group; generated for it alone.',
      },
    ]);
  }

  /** A security group allowing only outbound HTTPS (every dependency speaks TLS on 443). */
  httpsOnlyGroup(scope: Construct, id: string, description: string): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(scope, id, { vpc: this.vpc, description, allowAllOutbound: false });
    group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs, Snowflake, IdP, sources');
    return group;
  }
}
