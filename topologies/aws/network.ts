import * as ec2 from 'aws-cdk-lib/aws-ec2'
import { Construct } from 'constructs'
import { IAM_PORT_PRIVATE, IAM_PORT_PUBLIC } from './names.js'
import { asIVpc } from './strict-types.js'

export interface NetworkProps {
  /** Opens MSK's public IAM listener to this CIDR (laptop access); absent, MSK stays private. */
  readonly laptopCidr?: string | undefined
}

/**
 * Two AZs. Brokers sit in the public subnets because MSK public access can only be turned on for
 * brokers placed there, and a broker's subnets cannot change later; without public access they
 * get no public address and the security group admits only riskctl's clients. Lambdas and EMR
 * Serverless run in private subnets behind one NAT gateway (see docs/decisions/0006-aws-cdk.md);
 * S3 and DynamoDB traffic takes the free gateway endpoints instead. The MSK event source mappings'
 * pollers run in the cluster's own subnets and security group, where the NAT route does not apply:
 * they reach Lambda and STS through interface endpoints.
 */
export class RiskctlNetwork extends Construct {
  readonly vpc: ec2.IVpc
  readonly brokerSecurityGroup: ec2.SecurityGroup
  readonly clientSecurityGroup: ec2.SecurityGroup

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id)
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    })
    this.vpc = asIVpc(vpc)
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClientSg', {
      vpc: this.vpc,
      description: 'riskctl functions and the Spark detector',
      allowAllOutbound: true,
    })
    this.brokerSecurityGroup = new ec2.SecurityGroup(this, 'BrokerSg', {
      vpc: this.vpc,
      description: 'MSK brokers: IAM/TLS from riskctl clients only',
      // The event source mappings' pollers share this group and call out to the brokers and the endpoints.
      allowAllOutbound: true,
    })
    this.brokerSecurityGroup.addIngressRule(
      this.clientSecurityGroup,
      ec2.Port.tcp(IAM_PORT_PRIVATE),
      'Kafka IAM/TLS from riskctl',
    )
    // The MSK event source mappings' pollers use the function's security group and must reach the brokers too.
    this.brokerSecurityGroup.addIngressRule(
      this.brokerSecurityGroup,
      ec2.Port.tcp(IAM_PORT_PRIVATE),
      'Kafka between brokers',
    )
    for (const [id, service] of [
      ['LambdaEndpoint', ec2.InterfaceVpcEndpointAwsService.LAMBDA],
      ['StsEndpoint', ec2.InterfaceVpcEndpointAwsService.STS],
    ] as const) {
      vpc.addInterfaceEndpoint(id, {
        service,
        subnets: { subnetType: ec2.SubnetType.PUBLIC },
        privateDnsEnabled: true,
      })
    }
    if (props.laptopCidr !== undefined) {
      this.brokerSecurityGroup.addIngressRule(
        ec2.Peer.ipv4(props.laptopCidr),
        ec2.Port.tcp(IAM_PORT_PUBLIC),
        'Kafka IAM/TLS public access for the operator laptop',
      )
    }
  }
}
